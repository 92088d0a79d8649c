using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Payments.Aws.Signing;

namespace Payments.Aws.Sns;

/// <summary>SNS over its Query protocol: form-encoded POSTs, XML responses. No SNS SDK package is available here.</summary>
public sealed class SnsClient
{
    private const string ApiVersion = "2010-03-31";
    private const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";

    private readonly SignedHttp _http;

    /// <param name="credentials">Null resolves them the SDK's default way (environment, profile, container, instance).</param>
    public SnsClient(HttpClient http, AwsEndpointOptions endpoint, AWSCredentials? credentials = null) =>
        _http = new SignedHttp(http, endpoint, "sns", credentials ?? DefaultAWSCredentialsIdentityResolver.GetCredentials());

    /// <returns>The topic ARN. Creating an existing topic with the same attributes returns its ARN.</returns>
    public Task<string> CreateTopic(string name, CancellationToken cancellationToken = default) =>
        CreateTopic(name, fifo: false, cancellationToken);

    /// <param name="name">A FIFO topic's name must end in <c>.fifo</c>.</param>
    public async Task<string> CreateTopic(string name, bool fifo, CancellationToken cancellationToken = default)
    {
        var form = new List<KeyValuePair<string, string>> { new("Name", name) };
        if (fifo)
            AddMap(form, "Attributes", new Dictionary<string, string> { ["FifoTopic"] = "true" });
        var result = await Call("CreateTopic", form, cancellationToken);
        return Value(result, "TopicArn");
    }

    /// <returns>The subscription ARN.</returns>
    public async Task<string> Subscribe(string topicArn, string protocol, string endpoint,
        IEnumerable<KeyValuePair<string, string>>? attributes = null, CancellationToken cancellationToken = default)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("TopicArn", topicArn), new("Protocol", protocol), new("Endpoint", endpoint), new("ReturnSubscriptionArn", "true"),
        };
        if (attributes is not null)
            AddMap(form, "Attributes", attributes);
        var result = await Call("Subscribe", form, cancellationToken);
        return Value(result, "SubscriptionArn");
    }

    /// <returns>The SNS MessageId.</returns>
    public async Task<string> Publish(string topicArn, string message,
        IEnumerable<KeyValuePair<string, string>>? stringAttributes = null, CancellationToken cancellationToken = default)
    {
        var form = new List<KeyValuePair<string, string>> { new("TopicArn", topicArn), new("Message", message) };
        var index = 0;
        foreach (var (name, value) in stringAttributes ?? [])
        {
            var prefix = $"MessageAttributes.entry.{++index}";
            form.Add(new($"{prefix}.Name", name));
            form.Add(new($"{prefix}.Value.DataType", "String"));
            form.Add(new($"{prefix}.Value.StringValue", value));
        }
        var result = await Call("Publish", form, cancellationToken);
        return Value(result, "MessageId");
    }

    private static void AddMap(List<KeyValuePair<string, string>> form, string name, IEnumerable<KeyValuePair<string, string>> map)
    {
        var index = 0;
        foreach (var (key, value) in map)
        {
            index++;
            form.Add(new($"{name}.entry.{index}.key", key));
            form.Add(new($"{name}.entry.{index}.value", value));
        }
    }

    private async Task<XDocument> Call(string action, List<KeyValuePair<string, string>> parameters,
        CancellationToken cancellationToken)
    {
        IEnumerable<KeyValuePair<string, string>> all = [new("Action", action), new("Version", ApiVersion), .. parameters];
        var body = Encoding.UTF8.GetBytes(string.Join('&',
            all.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
        var response = await _http.Post(body, FormContentType, [], ToError, cancellationToken);
        try
        {
            return XDocument.Parse(response);
        }
        catch (XmlException e)
        {
            throw new AwsRequestException(HttpStatusCode.OK, "MalformedResponse", e.Message, e);
        }
    }

    private static string Value(XDocument response, string element) =>
        response.Descendants().FirstOrDefault(e => e.Name.LocalName == element)?.Value
        ?? throw new AwsRequestException(HttpStatusCode.OK, "MalformedResponse", $"No <{element}> in the SNS response.");

    private static AwsRequestException ToError(HttpStatusCode status, string body)
    {
        try
        {
            var error = XDocument.Parse(body).Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            string? Field(string name) => error?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            if (Field("Code") is { } code)
                return new AwsRequestException(status, code, Field("Message") ?? "");
        }
        catch (XmlException)
        {
            // Not an SNS error document (e.g. a proxy's page): fall through to the status code.
        }
        return new AwsRequestException(status, $"Http{(int)status}", body.Length > 500 ? body[..500] : body);
    }
}
