using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Payments.Aws.Http;
using Payments.Aws.Signing;

namespace Payments.Aws.EventBridge;

/// <summary>
/// EventBridge PutEvents over its JSON 1.1 protocol. No EventBridge SDK package is available here. Registered by
/// <see cref="AwsHttpClientRegistration.AddEventBridgeClient"/>.
/// </summary>
public sealed class EventBridgeClient(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "Payments.Aws.EventBridge";
    public const int MaxEntriesPerCall = 10;

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private static readonly KeyValuePair<string, string>[] PutEventsHeaders = [new("X-Amz-Target", "AWSEvents.PutEvents")];

    private readonly AwsServiceHttp _http = new(httpClients, HttpClientName);

    /// <summary>
    /// Sends the entries in calls of at most <see cref="MaxEntriesPerCall"/>. Every call is made even when an earlier
    /// one had rejected entries; then <see cref="EventBridgePartialFailureException"/> lists all of them and only them.
    /// </summary>
    /// <remarks>
    /// A call that failed as a whole (throttled, 5xx, no answer) is retried by the client's pipeline, so its entries
    /// may be put twice; the outcome events carry their <c>eventId</c> in the detail, by which subscribers de-duplicate.
    /// Entries rejected in a 200 answer are not retried here: the pipeline never resends a call that partly succeeded,
    /// and the caller resends the rejected entries only.
    /// </remarks>
    /// <returns>The EventBridge event IDs, in the order of <paramref name="entries"/>.</returns>
    public async Task<IReadOnlyList<string>> PutEvents(string busName, IReadOnlyList<EventBridgeEntry> entries,
        CancellationToken cancellationToken = default)
    {
        var eventIds = new List<string>(entries.Count);
        var failed = new List<EventBridgeFailedEntry>();
        for (var offset = 0; offset < entries.Count; offset += MaxEntriesPerCall)
        {
            var chunk = entries.Skip(offset).Take(MaxEntriesPerCall).ToList();
            var request = new PutEventsRequest(chunk.Select(e => new RequestEntry(busName, e.Source, e.DetailType, e.Detail,
                e.Time is { } time ? time.ToUnixTimeMilliseconds() / 1000.0 : null)).ToList());
            using var span = PutEventsSpan.Start(chunk.Count);
            PutEventsResponse response;
            try
            {
                response = await Send(request, cancellationToken);
            }
            catch (Exception e)
            {
                PutEventsSpan.Failed(span, e.Message);
                throw;
            }
            if (response.FailedEntryCount > 0)
                PutEventsSpan.Failed(span, $"{response.FailedEntryCount} entries rejected");

            for (var i = 0; i < chunk.Count; i++)
            {
                var result = response.Entries?.ElementAtOrDefault(i);
                if (result?.EventId is { } eventId)
                    eventIds.Add(eventId);
                else
                    failed.Add(new EventBridgeFailedEntry(offset + i, chunk[i], result?.ErrorCode ?? EventBridgeFailedEntry.MissingResult,
                        result?.ErrorMessage ?? "No result entry for this event."));
            }
            if (response.FailedEntryCount > 0 && failed.Count == 0)
                throw new AwsRequestException(HttpStatusCode.OK, "MalformedResponse",
                    $"FailedEntryCount is {response.FailedEntryCount} but every entry has an EventId.");
        }

        if (failed.Count > 0)
            throw new EventBridgePartialFailureException(failed);
        return eventIds;
    }

    private async Task<PutEventsResponse> Send(PutEventsRequest request, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, Json);
        var response = await _http.Post(body, "application/x-amz-json-1.1", PutEventsHeaders, cancellationToken);
        try
        {
            return JsonSerializer.Deserialize<PutEventsResponse>(response, Json)
                ?? throw new JsonException("The response is null.");
        }
        catch (JsonException e)
        {
            throw new AwsRequestException(HttpStatusCode.OK, "MalformedResponse", e.Message, e);
        }
    }

    private sealed record PutEventsRequest(List<RequestEntry> Entries);

    private sealed record RequestEntry(string EventBusName, string Source, string DetailType, string Detail, double? Time);

    private sealed record PutEventsResponse(int FailedEntryCount, List<ResultEntry>? Entries);

    private sealed record ResultEntry(string? EventId, string? ErrorCode, string? ErrorMessage);
}
