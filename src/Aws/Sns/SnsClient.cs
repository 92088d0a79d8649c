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
        AddStringAttributes(form, "", stringAttributes ?? []);
        var result = await Call("Publish", form, cancellationToken);
        return Value(result, "MessageId");
    }

    /// <summary>
    /// Publishes up to ten messages in one call (within 256 KiB in total: see <see cref="PublishBatches"/>). SNS answers
    /// for each entry; a refused entry does not stop the others. The remark on <see cref="Publish"/> applies.
    /// </summary>
    public async Task<SnsBatchResult> PublishBatch(string topicArn, IReadOnlyList<SnsBatchEntry> entries, CancellationToken cancellationToken = default)
    {
        var form = new List<KeyValuePair<string, string>> { new("TopicArn", topicArn) };
        for (var i = 0; i < entries.Count; i++)
        {
            var prefix = $"PublishBatchRequestEntries.member.{i + 1}.";
            form.Add(new(prefix + "Id", entries[i].Id));
            form.Add(new(prefix + "Message", entries[i].Message));
            AddStringAttributes(form, prefix, entries[i].StringAttributes);
        }
        var result = await Call("PublishBatch", form, cancellationToken);
        return new SnsBatchResult(
            Members(result, "Successful").Select(m => Child(m, "Id")).ToList(),
            Members(result, "Failed").Select(m => new SnsBatchFailure(Child(m, "Id"), Child(m, "Code"), Child(m, "Message"),
                Child(m, "SenderFault") == "true")).ToList());
    }

    private static void AddStringAttributes(List<KeyValuePair<string, string>> form, string prefix, IEnumerable<KeyValuePair<string, string>> attributes)
    {
        var index = 0;
        foreach (var (name, value) in attributes)
        {
            var entry = $"{prefix}MessageAttributes.entry.{++index}";
            form.Add(new($"{entry}.Name", name));
            form.Add(new($"{entry}.Value.DataType", "String"));
            form.Add(new($"{entry}.Value.StringValue", value));
        }
    }

    private static IEnumerable<XElement> Members(XDocument response, string list) =>
        response.Descendants().Where(e => e.Name.LocalName == list).Elements().Where(e => e.Name.LocalName == "member");

    private static string Child(XElement member, string name) =>
        member.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

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
