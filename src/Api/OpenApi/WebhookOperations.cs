using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Payments.Api.Webhooks;
using Payments.Processing.Webhooks;
using static Payments.Api.OpenApi.PaymentOperations;

namespace Payments.Api.OpenApi;

/// <summary>
/// What each webhook endpoint operation takes beyond its handler's signature (as <see cref="PaymentOperations"/> for
/// payments): the Idempotency-Key, the request bodies (written here: the request type is a reader, not a shape), the id and
/// page parameters, and examples.
/// </summary>
public static class WebhookOperations
{
    public const string CreateRequestSchema = "CreateWebhookEndpointRequest";
    public const string ChangeRequestSchema = "UpdateWebhookEndpointRequest";

    public static Task Create(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        IdempotencyKey(operation, "endpoint");
        Body(operation, context, CreateRequestSchema, RequestSchema(create: true), WebhookExamples.CreateRequest);
        Example(operation, StatusCodes.Status201Created, PaymentExamples.Json(WebhookExamples.CreatedEndpoint, Json(context)));
        return Task.CompletedTask;
    }

    public static Task Get(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        EndpointId(operation);
        Example(operation, StatusCodes.Status200OK, PaymentExamples.Json(WebhookExamples.Endpoint, Json(context)));
        return Task.CompletedTask;
    }

    public static Task List(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        Page(operation);
        Example(operation, StatusCodes.Status200OK, PaymentExamples.Json(WebhookExamples.Page, Json(context)));
        return Task.CompletedTask;
    }

    public static Task Update(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        EndpointId(operation);
        Body(operation, context, ChangeRequestSchema, RequestSchema(create: false), WebhookExamples.ChangeRequest);
        Example(operation, StatusCodes.Status200OK, PaymentExamples.Json(WebhookExamples.Endpoint, Json(context)));
        return Task.CompletedTask;
    }

    public static Task Delete(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        EndpointId(operation);
        return Task.CompletedTask;
    }

    public static Task Rotate(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        EndpointId(operation);
        Example(operation, StatusCodes.Status200OK, PaymentExamples.Json(WebhookExamples.Rotated, Json(context)));
        return Task.CompletedTask;
    }

    /// <summary>The <c>{id}</c> of an operation on one webhook endpoint.</summary>
    public static void EndpointId(OpenApiOperation operation)
    {
        var id = Parameter(operation, "id");
        id.Description = "The endpoint's id (from `Location` or `id`).";
        id.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" };
        id.Example = WebhookExamples.Endpoint.Id.ToString();
    }

    static void Body(OpenApiOperation operation, OpenApiOperationTransformerContext context, string name, OpenApiSchema schema, object example)
    {
        var document = context.Document!;
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[name] = schema;
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = new OpenApiSchemaReference(name, document),
                    Example = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(example)),
                },
            },
        };
    }

    /// <summary>
    /// The body <see cref="WebhookEndpointRequest.Parse"/> accepts. That the URL is one webhooks may go to and the event types
    /// are known is checked after (a <c>422</c>), and said in words: the document cannot resolve a host name.
    /// </summary>
    static OpenApiSchema RequestSchema(bool create)
    {
        var properties = new Dictionary<string, IOpenApiSchema>
        {
            ["url"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MinLength = 1,
                MaxLength = WebhookEndpointRequest.MaxUrlLength,
                Description = "Where webhooks are sent: an absolute `https` URL without user name or password, whose host is, or resolves only "
                              + "to, public addresses (loopback, private, link-local, unique-local, multicast and cloud-metadata addresses "
                              + "are refused with `422`, unless the operator's `Webhooks:AllowedNetworks` lists them).",
            },
            ["event_types"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. WebhookEventTypes.All.Select(t => (JsonNode)t)] },
                MinItems = 1,
                Description = "The events to receive; at least one (an empty list is `422`, as is an unknown type). New types may be added.",
            },
            ["description"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                MaxLength = WebhookEndpointRequest.MaxDescriptionLength,
                Pattern = @"^[^\u0000-\u001F\u007F-\u009F]*$",
                Description = "Free text without control characters; null is the same as absent" + (create ? "." : " on create, and clears it here."),
            },
        };
        if (!create)
            properties["enabled"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Boolean,
                Description = "`true` enables it again (clearing `disabled_reason`); `false` stops deliveries to it.",
            };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = properties,
            Required = create ? new HashSet<string> { "url", "event_types" } : null,
            MinProperties = create ? null : 1,
            AdditionalPropertiesAllowed = false,
        };
    }
}
