using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;

namespace Payments.Api.Problems;

public static class ProblemsRegistration
{
    /// <summary>Unhandled errors become a bare 500 problem (never a stack trace); framework 4xx keep their status.</summary>
    public static void AddPaymentsProblems(this IServiceCollection services) =>
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var exception = context.HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error;
            if (exception is BadHttpRequestException bad)
            {
                context.ProblemDetails.Status = context.HttpContext.Response.StatusCode = bad.StatusCode;
                context.ProblemDetails.Type = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? ApiProblems.Types.PayloadTooLarge
                    : ApiProblems.Types.MalformedJson;
                context.ProblemDetails.Title = "The request could not be read.";
            }
            // The one 5xx the API answers on purpose keeps its type: clients act on it (retry after Retry-After).
            else if (context.ProblemDetails.Status >= 500 && context.ProblemDetails.Type != ApiProblems.Types.Overloaded)
            {
                context.ProblemDetails.Type = ApiProblems.Types.Internal;
                context.ProblemDetails.Title = ApiProblems.InternalTitle;
                context.ProblemDetails.Detail = null;
            }
            context.ProblemDetails.Extensions.Remove("exception");
            // The request's W3C trace id (ASP.NET Core starts an activity per request): the id a collector and the log lines know.
            context.ProblemDetails.Extensions["trace_id"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        });
}
