using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using MassTransit;
using MassTransit.Serialization;
using Payments.Aws;
using Payments.Aws.Sqs;
using Payments.Contracts;
using Payments.Processing.Endpoints;
using Payments.Processing.Outcomes;

namespace Payments.Workers.Catalogue;

/// <summary>
/// The event catalogue (<c>docs/asyncapi.json</c>, AsyncAPI 3.0), made from the code that moves the messages: the SNS topic
/// of every published type (<see cref="EntityNames.TopicFor(Type)"/>), the SQS queue of every endpoint with what it takes
/// (<see cref="ProcessingEndpoints.All"/>), the EventBridge outcome bus as <see cref="OutcomeForwarder"/> puts to it, and
/// payload schemas that System.Text.Json's exporter derives from the records with MassTransit's own serializer options.
/// </summary>
public static class EventCatalogue
{
    public const string Command = "bash scripts/asyncapi.sh";
    const string EnvelopeContentType = "application/vnd.masstransit+json";
    const string Envelope = "MassTransitEnvelope";
    const string EventBridgeEvent = "EventBridgeEvent";
    const string Bus = "outcome-bus";
    static readonly Type[] Outcomes = [.. ProcessingEndpoints.ForwardOutcomes.SubscribedTypes];

    static readonly JsonSerializerOptions Written = new(SystemTextJsonMessageSerializer.Options)
    {
        // What is written: numbers as numbers, whatever a reader tolerates.
        NumberHandling = JsonNumberHandling.Strict,
    };

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Json() => Document().ToJsonString(Indented) + "\n";

    public static JsonObject Document()
    {
        var types = ProcessingEndpoints.All.SelectMany(e => e.Messages).Select(m => m.Type)
            .Concat(typeof(PaymentRequested).Assembly.GetExportedTypes().Where(IsMessage))
            .Distinct().OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var published = ProcessingEndpoints.All.SelectMany(e => e.SubscribedTypes).Distinct().OrderBy(t => t.Name, StringComparer.Ordinal).ToList();

        var channels = new JsonObject();
        var operations = new JsonObject();
        foreach (var type in published)
        {
            var topic = EntityNames.TopicFor(type);
            channels[topic] = Channel(PrefixedAddress(topic), $"SNS topic of {type.Name}",
                $"Every {type.Name} the system publishes. Subscribe a queue with raw message delivery; the body is the MassTransit envelope.",
                [type.Name], new JsonObject { ["sns"] = new JsonObject { ["name"] = topic, ["bindingVersion"] = "0.1.0" } });
            operations[$"publish{type.Name}"] = Operation("send", topic, $"The system publishes {type.Name} to its topic.", [type.Name]);
        }

        foreach (var endpoint in ProcessingEndpoints.All.OrderBy(e => e.Queue, StringComparer.Ordinal))
        {
            var names = endpoint.Messages.Select(m => m.Type.Name).ToList();
            channels[endpoint.Queue] = Channel(PrefixedAddress(endpoint.Queue), $"SQS queue {endpoint.Queue}",
                $"Takes {string.Join(", ", endpoint.Messages)}: published messages through its subscriptions to their topics, sent ones by "
                + $"the queue's name. After {new AwsMessagingOptions().MaxReceiveCount} receives a message moves to {EntityNames.DeadLetterQueueFor(endpoint.Queue)}.",
                names, new JsonObject { ["sqs"] = new JsonObject { ["bindingVersion"] = "0.2.0" } });
            operations[$"receive-{endpoint.Queue}"] = Operation("receive", endpoint.Queue, $"The system consumes from {endpoint.Queue}.", names);
            foreach (var sent in endpoint.Messages.Where(m => m.Delivery == Delivery.Sent))
                operations[$"send{sent.Type.Name}"] = Operation("send", endpoint.Queue,
                    $"The system sends {sent.Type.Name} to the {endpoint.Queue} queue by name (no topic).", [sent.Type.Name]);
        }

        var busMessages = Outcomes.Select(BusMessageName).ToList();
        channels[Bus] = Channel("{busName}", "EventBridge outcome bus",
            $"The custom event bus named by Payments:EventBridge:BusName, when forwarding is on: source `{OutcomeForwarder.Source}`, "
            + "`detail-type` the contract's type name, `detail` the event as camelCase JSON.", busMessages, null,
            new JsonObject { ["busName"] = new JsonObject { ["description"] = "The event bus name or ARN (Payments:EventBridge:BusName)." } });
        operations["putOutcomes"] = Operation("send", Bus, $"The system puts each outcome on the bus (forwarded from the {OutcomeForwarderDefinition.QueueName} queue).", busMessages);

        var messages = new JsonObject();
        var schemas = new JsonObject { [Envelope] = EnvelopeSchema(), [EventBridgeEvent] = EventBridgeSchema() };
        foreach (var type in types)
        {
            schemas[type.Name] = Schema(type);
            messages[type.Name] = EnvelopedMessage(type);
        }
        foreach (var type in Outcomes)
            messages[BusMessageName(type)] = EventBridgeMessage(type);

        return new JsonObject
        {
            ["asyncapi"] = "3.0.0",
            ["info"] = new JsonObject
            {
                ["title"] = "Payments events",
                ["version"] = typeof(PaymentRequested).Assembly.GetName().Version!.ToString(3),
                ["description"] = string.Join("\n\n",
                    "Every message the Payments system publishes or accepts. Generated from the code by `" + Command + "`; a test fails when this file drifts from it. The contracts are the Payments.Contracts package (src/Contracts).",
                    "Delivery is at least once. De-duplicate outcome events (PaymentSucceeded, PaymentFailed) by `eventId`, which every delivery of one event carries, on SNS and EventBridge alike; de-duplicate other messages by the envelope's `messageId`.",
                    "No ordering is guaranteed: messages of different payments arrive in any order, and a redelivery can arrive after a later message.",
                    "Names of queues and topics start with the deployment's entity prefix (Messaging:AmazonSqs:EntityPrefix, e.g. `staging-`; empty by default). Contracts evolve additively; an incompatible change gets a new type name, so a new topic and `detail-type`."),
            },
            ["defaultContentType"] = EnvelopeContentType,
            ["channels"] = channels,
            ["operations"] = operations,
            ["components"] = new JsonObject { ["messages"] = messages, ["schemas"] = schemas },
        };
    }

    /// <summary>The records downstream code can receive: not the static name holders (<see cref="EndpointNames"/>, <see cref="PaymentStatus"/>).</summary>
    static bool IsMessage(Type type) => type is { IsClass: true, IsAbstract: false };

    static string PrefixedAddress(string name) => "{entityPrefix}" + name;

    /// <summary>The catalogue's name for a contract as an EventBridge event.</summary>
    static string BusMessageName(Type type) => $"{type.Name}OnEventBridge";

    static JsonObject Channel(string address, string title, string description, IEnumerable<string> messages, JsonObject? bindings,
        JsonObject? parameters = null)
    {
        var channel = new JsonObject
        {
            ["address"] = address,
            ["title"] = title,
            ["description"] = description,
            ["messages"] = new JsonObject(messages.Select(m => KeyValuePair.Create(m, (JsonNode?)Ref($"#/components/messages/{m}")))),
            ["parameters"] = parameters ?? new JsonObject
            {
                ["entityPrefix"] = new JsonObject { ["description"] = "The deployment's entity prefix (Messaging:AmazonSqs:EntityPrefix); empty by default." },
            },
        };
        if (bindings is not null)
            channel["bindings"] = bindings;
        return channel;
    }

    static JsonObject Operation(string action, string channel, string summary, IEnumerable<string> messages) => new()
    {
        ["action"] = action,
        ["channel"] = Ref($"#/channels/{channel}"),
        ["summary"] = summary,
        ["messages"] = new JsonArray([.. messages.Select(m => (JsonNode)Ref($"#/channels/{channel}/messages/{m}"))]),
    };

    static JsonObject EnvelopedMessage(Type type)
    {
        var deduplication = Outcomes.Contains(type)
            ? "De-duplicate by `message.eventId`: every delivery of this event carries the same one."
            : "De-duplicate by the envelope's `messageId`: a redelivery carries the same one.";
        return new JsonObject
        {
            ["name"] = type.Name,
            ["title"] = type.FullName,
            ["summary"] = $"{type.Name} in a MassTransit envelope; messageType `{MessageUrn.ForTypeString(type)}`.",
            ["description"] = deduplication + " No ordering is guaranteed.",
            ["contentType"] = EnvelopeContentType,
            ["correlationId"] = new JsonObject { ["location"] = "$message.payload#/correlationId" },
            ["headers"] = TransportAttributes(),
            ["payload"] = new JsonObject
            {
                ["allOf"] = new JsonArray(Ref($"#/components/schemas/{Envelope}"), new JsonObject
                {
                    ["type"] = "object",
                    ["required"] = new JsonArray("messageId", "messageType", "message"),
                    ["properties"] = new JsonObject
                    {
                        ["messageType"] = new JsonObject { ["contains"] = new JsonObject { ["const"] = MessageUrn.ForTypeString(type) } },
                        ["message"] = Ref($"#/components/schemas/{type.Name}"),
                    },
                }),
            },
        };
    }

    static JsonObject EventBridgeMessage(Type type) => new()
    {
        ["name"] = type.Name,
        ["title"] = $"{type.Name} on EventBridge",
        ["summary"] = $"An EventBridge event: source `{OutcomeForwarder.Source}`, detail-type `{type.Name}`, detail the {type.Name}.",
        ["description"] = "De-duplicate by `detail.eventId`, never by the EventBridge event `id`: a redelivery puts a new EventBridge event with the same eventId. No ordering is guaranteed.",
        ["contentType"] = "application/json",
        ["payload"] = new JsonObject
        {
            ["allOf"] = new JsonArray(Ref($"#/components/schemas/{EventBridgeEvent}"), new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["source"] = new JsonObject { ["const"] = OutcomeForwarder.Source },
                    ["detail-type"] = new JsonObject { ["const"] = OutcomeForwarder.DetailTypeOf(type) },
                    ["detail"] = Ref($"#/components/schemas/{type.Name}"),
                },
            }),
        },
    };

    /// <summary>The SNS/SQS message attributes the transport sets beside the body.</summary>
    static JsonObject TransportAttributes() => new()
    {
        ["type"] = "object",
        ["description"] = "SNS/SQS message attributes (String): the content type and the trace context MassTransit keeps in the envelope's headers.",
        ["properties"] = new JsonObject
        {
            [SqsOutboxTransport.ContentTypeAttribute] = new JsonObject { ["type"] = "string", ["const"] = EnvelopeContentType },
            ["MT-Activity-Id"] = new JsonObject { ["type"] = "string", ["description"] = "W3C traceparent of the sending span." },
            ["MT-Activity-Correlation-Context"] = new JsonObject { ["type"] = "string" },
        },
    };

    static JsonObject EnvelopeSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "MassTransit's JSON envelope (application/vnd.masstransit+json), camelCase; the message is under `message`.",
        ["required"] = new JsonArray("messageId", "messageType", "message"),
        ["properties"] = new JsonObject
        {
            ["messageId"] = Uuid("Unique per message; a redelivery or a re-send of the same outbox row carries the same one."),
            ["requestId"] = Uuid(null),
            ["correlationId"] = Uuid("The payment id, for the payment workflow's messages."),
            ["conversationId"] = Uuid("Shared by every message caused by one request."),
            ["initiatorId"] = Uuid("The messageId of the message that caused this one."),
            ["sourceAddress"] = Text("uri", null),
            ["destinationAddress"] = Text("uri", null),
            ["responseAddress"] = Text("uri", null),
            ["faultAddress"] = Text("uri", null),
            ["messageType"] = new JsonObject
            {
                ["type"] = "array",
                ["items"] = Text(null, "A message type URN, e.g. urn:message:Payments.Contracts:PaymentSucceeded"),
                ["description"] = "The types the message can be read as, most specific first.",
            },
            ["message"] = new JsonObject { ["type"] = "object" },
            ["expirationTime"] = Text("date-time", null),
            ["sentTime"] = Text("date-time", null),
            ["headers"] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = "MassTransit headers, e.g. MT-Activity-Id (W3C traceparent) and MT-Activity-Correlation-Context.",
                ["properties"] = new JsonObject
                {
                    ["MT-Activity-Id"] = Text(null, "W3C traceparent of the sending span."),
                    ["MT-Activity-Correlation-Context"] = Text(null, null),
                },
                ["additionalProperties"] = true,
            },
            ["host"] = new JsonObject { ["type"] = "object", ["description"] = "The sending process: machine, process, assembly and MassTransit versions." },
        },
    };

    static JsonObject EventBridgeSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "An EventBridge event as a rule's target receives it.",
        ["required"] = new JsonArray("source", "detail-type", "detail"),
        ["properties"] = new JsonObject
        {
            ["version"] = Text(null, null),
            ["id"] = Text(null, "EventBridge's id of this put: differs between redeliveries of one outcome."),
            ["source"] = Text(null, null),
            ["detail-type"] = Text(null, null),
            ["account"] = Text(null, null),
            ["time"] = Text("date-time", "The outcome's completedAt."),
            ["region"] = Text(null, null),
            ["resources"] = new JsonObject { ["type"] = "array", ["items"] = Text(null, null) },
            ["detail"] = new JsonObject { ["type"] = "object" },
        },
    };

    /// <summary>The record's JSON as MassTransit writes it (camelCase, the same names as the forwarder's JsonSerializerOptions.Web).</summary>
    static JsonNode Schema(Type type)
    {
        var schema = Written.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        schema["title"] = type.Name;
        return schema;
    }

    static JsonObject Uuid(string? description) => Text("uuid", description);

    static JsonObject Text(string? format, string? description)
    {
        var node = new JsonObject { ["type"] = "string" };
        if (format is not null)
            node["format"] = format;
        if (description is not null)
            node["description"] = description;
        return node;
    }

    static JsonObject Ref(string pointer) => new() { ["$ref"] = pointer };
}
