using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Payments.Aws.Http;
using Payments.Aws.Signing;

namespace Payments.Aws.Sns;

/// <summary>
/// SNS over its Query protocol: form-encoded POSTs, XML responses. No SNS SDK package is available here. Registered by
/// <see cref="AwsHttpClientRegistration.AddSnsClient"/>.
/// </summary>
public sealed class SnsClient(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "Payments.Aws.Sns";
    private const string ApiVersion = "2010-03-31";
    private const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";

    private readonly AwsServiceHttp _http = new(httpClients, HttpClientName);

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
    /// <remarks>
    /// A publish whose answer was lost is retried and may reach the topic twice; the body is the MassTransit envelope,
    /// whose MessageId the receiving inbox de-duplicates by.
    /// </remarks>
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
        var response = await _http.Post(body, FormContentType, [], cancellationToken);
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
}
