using System.Text.Json;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Context;
using MassTransit.Metadata;
using MassTransit.Serialization;

namespace Payments.Outbox;

/// <summary>
/// A serialized message waiting to be handed to the transport, written in the transaction that produced it.
/// It keeps its MessageId so that the receiving inbox recognises a re-send after a crash.
/// </summary>
public class OutboxMessage : OutboxMessageContext
{
    Headers? _headers;
    readonly Dictionary<string, string> _setForThisSend = new(StringComparer.OrdinalIgnoreCase);
    IReadOnlyDictionary<string, object>? _properties;

    public long SequenceNumber { get; set; }
    public Guid MessageId { get; set; }

    /// <summary>Not before this time (scheduled messages); null means at once.</summary>
    public DateTime? EnqueueTime { get; set; }

    public DateTime SentTime { get; set; }
    public string ContentType { get; set; } = null!;
    public string MessageType { get; set; } = null!;
    public string Body { get; set; } = null!;
    public string? Headers { get; set; }
    public string? Properties { get; set; }

    /// <summary>The consumed message that produced this one (consumer outbox), for tracing.</summary>
    public Guid? InboxMessageId { get; set; }
    public Guid? InboxConsumerId { get; set; }

    public Guid? ConversationId { get; set; }
    public Guid? CorrelationId { get; set; }
    public Guid? InitiatorId { get; set; }
    public Guid? RequestId { get; set; }
    public Uri? SourceAddress { get; set; }
    public Uri? DestinationAddress { get; set; }
    public Uri? ResponseAddress { get; set; }
    public Uri? FaultAddress { get; set; }
    public DateTime? ExpirationTime { get; set; }

    /// <summary>Failed tries to hand this row to the transport.</summary>
    public int Attempts { get; set; }

    /// <summary>Why the last try failed (truncated).</summary>
    public string? LastError { get; set; }

    /// <summary>
    /// When delivery gave up on the row (too many failed tries, or it can never be sent). A parked row is never claimed
    /// again until an operator re-queues it (<c>outbox retry</c>).
    /// </summary>
    public DateTime? ParkedAt { get; set; }

    Guid? MessageContext.MessageId => MessageId;
    DateTime? MessageContext.SentTime => SentTime;
    Headers MessageContext.Headers => _headers ?? EmptyHeaders.Instance;
    HostInfo MessageContext.Host => HostMetadataCache.Host;
    IReadOnlyDictionary<string, object> OutboxMessageContext.Properties => _properties ?? EmptyProperties;

    static readonly IReadOnlyDictionary<string, object> EmptyProperties = new Dictionary<string, object>();

    /// <summary>Restores headers and transport properties before the message is re-sent.</summary>
    public void Deserialize(IObjectDeserializer deserializer)
    {
        var headers = deserializer.DeserializeDictionary<object?>(Headers);
        _headers = headers is null ? EmptyHeaders.Instance : new DictionarySendHeaders(headers);
        _properties = deserializer.DeserializeDictionary<object>(Properties) ?? EmptyProperties;
    }

    /// <summary>
    /// The restored headers (after <see cref="Deserialize"/>) as text: a stored string comes back as a JSON element, and
    /// any other value is given as its JSON.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> TextHeaders() =>
        ((MessageContext)this).Headers.GetAll()
            .Select(h => new KeyValuePair<string, string>(h.Key, h.Value switch
            {
                string text => text,
                JsonElement { ValueKind: JsonValueKind.String } element => element.GetString()!,
                JsonElement element => element.GetRawText(),
                null => "",
                var other => JsonSerializer.Serialize(other),
            }));

    /// <summary>One restored header as text (see <see cref="TextHeaders"/>), or null when the row has none of that name.</summary>
    public string? TextHeader(string key) =>
        TextHeaders().Where(h => string.Equals(h.Key, key, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    /// <summary>
    /// Sets a header of the restored headers (after <see cref="Deserialize"/>) for this send only; the stored row keeps its
    /// own. Delivery re-stamps <c>MT-Activity-Id</c> with its span, so the next hop hangs under it.
    /// </summary>
    public void SetHeader(string key, string value)
    {
        _setForThisSend[key] = value;
        if (_headers is SendHeaders headers)
        {
            headers.Set(key, value);
            return;
        }
        var created = new DictionarySendHeaders(new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase));
        created.Set(key, value);
        _headers = created;
    }

    /// <summary>The headers <see cref="SetHeader"/> set for this send: they win over those of the stored envelope.</summary>
    public IReadOnlyDictionary<string, string> HeadersSetForThisSend => _setForThisSend;

    public static OutboxMessage From<T>(SendContext<T> context, IObjectDeserializer serializer, Guid? inboxMessageId = null,
        Guid? inboxConsumerId = null)
        where T : class
    {
        var messageId = context.MessageId ?? throw new MessageException(typeof(T), "The outbox needs a MessageId");
        var now = DateTime.UtcNow;

        var message = new OutboxMessage
        {
            MessageId = messageId,
            ConversationId = context.ConversationId,
            CorrelationId = context.CorrelationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress,
            DestinationAddress = context.DestinationAddress,
            ResponseAddress = context.ResponseAddress,
            FaultAddress = context.FaultAddress,
            SentTime = context.SentTime ?? now,
            ContentType = context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString(),
            MessageType = string.Join(";", context.SupportedMessageTypes),
            Body = context.Serializer.GetMessageBody(context).GetString(),
            Headers = serializer.SerializeDictionary(context.Headers.GetAll()),
            InboxMessageId = inboxMessageId,
            InboxConsumerId = inboxConsumerId,
            EnqueueTime = context.Delay is { } delay ? now + delay : null,
            ExpirationTime = context.TimeToLive is { } ttl ? now + ttl : null,
        };

        if (context is TransportSendContext<T> transportContext)
        {
            var properties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transportContext.WritePropertiesTo(properties);
            // The delay is served by EnqueueTime: the row waits in Postgres until due, then goes out at once.
            properties.Remove("Delay");
            message.Properties = serializer.SerializeDictionary(properties);
        }

        return message;
    }
}
