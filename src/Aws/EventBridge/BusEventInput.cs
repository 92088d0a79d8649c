using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Payments.Processing.Endpoints;
using Payments.Processing.Outcomes;

namespace Payments.Aws.EventBridge;

/// <summary>
/// Reads an SQS message body that an EventBridge rule's target delivered: the event itself (<c>version</c>, <c>id</c>,
/// <c>detail-type</c>, <c>source</c>, <c>time</c>, <c>detail</c>, …). An event of a type the endpoint takes becomes the
/// MassTransit envelope its pipeline reads, with the event's <c>EventId</c> as MessageId: the same event put on the bus
/// twice is one message to the inbox, and the consumers de-duplicate by <c>EventId</c> against the topics' copy too.
/// </summary>
public static class BusEventInput
{
    static readonly JsonSerializerOptions Detail = new(JsonSerializerOptions.Web)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    /// <summary>What <paramref name="body"/> is to <paramref name="endpoint"/>.</summary>
    /// <exception cref="FormatException">An EventBridge event of a type the endpoint takes, whose detail does not read as that type.</exception>
    public static BusEvent Read(string body, MessageEndpoint endpoint)
    {
        if (!endpoint.AcceptsBusEvents || Parse(body) is not { } root
            || root["detail-type"] is not JsonValue detailTypeValue || root["source"] is not JsonValue sourceValue
            || root.ContainsKey("messageType"))
            return BusEvent.NotABusEvent;

        var detailType = Text(detailTypeValue);
        var source = Text(sourceValue);
        var type = source == OutcomeForwarder.Source
            ? endpoint.SubscribedTypes.FirstOrDefault(t => OutcomeForwarder.DetailTypeOf(t) == detailType)
            : null;
        if (type is null)
            return new BusEvent.Unknown(source, detailType);

        if (root["detail"] is not JsonObject detail)
            throw new FormatException($"The {detailType} event has no detail object");
        try
        {
            JsonSerializer.Deserialize(detail, type, Detail);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The {detailType} event's detail is not a {type.Name}: {e.Message}", e);
        }
        var eventId = detail.FirstOrDefault(p => string.Equals(p.Key, "eventId", StringComparison.OrdinalIgnoreCase)).Value;
        if (eventId?.GetValueKind() != JsonValueKind.String || !Guid.TryParse(eventId.GetValue<string>(), out var id) || id == Guid.Empty)
            throw new FormatException($"The {detailType} event's detail has no eventId");

        var envelope = new JsonObject
        {
            ["messageId"] = id.ToString(),
            ["messageType"] = new JsonArray(MessageUrn.ForTypeString(type)),
            ["message"] = detail.DeepClone(),
            ["headers"] = new JsonObject
            {
                ["EventBridge-Id"] = root["id"]?.DeepClone(),
                ["EventBridge-Source"] = source,
                ["EventBridge-Detail-Type"] = detailType,
            },
        };
        if (root["time"] is JsonValue time)
            envelope["sentTime"] = time.DeepClone();
        return new BusEvent.Envelope(envelope.ToJsonString(), type, id);
    }

    /// <summary>A string's value; anything else as its JSON, so an odd event is still named in the log.</summary>
    static string Text(JsonValue value) => value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();

    static JsonObject? Parse(string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
