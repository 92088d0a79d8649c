using Payments.Api.Payments;
using Payments.Api.Problems;
using Payments.Processing.Webhooks;

namespace Payments.Api.Webhooks;

/// <summary>
/// Reads a create or change body the way <c>POST /payments</c> reads its own (<see cref="JsonBody"/>: 415, 413, 400), then
/// its fields (400) and what they say (422): the request, or the problem to answer with. Nothing is written before it.
/// </summary>
static class WebhookEndpointBody
{
    public static async Task<(WebhookEndpointRequest? Request, IResult? Problem)> Read(HttpRequest http, PaymentRules rules,
        WebhookAddressGuard guard, bool create, CancellationToken cancellationToken)
    {
        if (!JsonBody.HasJsonContentType(http))
            return (null, ApiProblems.UnsupportedMediaType());

        var (document, problem) = await JsonBody.Read(http, rules.MaxBodyBytes, cancellationToken);
        if (problem is not null)
            return (null, problem);
        WebhookEndpointRequest? request;
        Dictionary<string, string[]> errors;
        using (document)
            request = WebhookEndpointRequest.Parse(document!.RootElement, create, out errors);
        if (request is null)
            return (null, ApiProblems.Validation(errors));

        var refusals = await request.Refusals(guard, cancellationToken);
        return refusals.Count > 0 ? (null, ApiProblems.Unprocessable(refusals)) : (request, null);
    }
}
