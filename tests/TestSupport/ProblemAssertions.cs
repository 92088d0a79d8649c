using System.Net;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Payments.TestSupport;

/// <summary>Assertions on RFC 9457 problem responses (application/problem+json).</summary>
public static class ProblemAssertions
{
    public const string ProblemPrefix = "urn:payments:problem:";

    /// <summary>
    /// Asserts the status, the problem+json content type, the problem <c>type</c> and that the status is not 5xx;
    /// returns the parsed problem. Failure messages include the body.
    /// </summary>
    public static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"server error {(int)response.StatusCode}: {body}");
        Assert.True(response.StatusCode == status, $"expected {(int)status} but got {(int)response.StatusCode}: {body}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"expected application/problem+json but got '{response.Content.Headers.ContentType}': {body}");

        JsonElement problem;
        try
        {
            problem = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new XunitException($"problem body is not JSON ({e.Message}): {body}");
        }
        Assert.Equal(JsonValueKind.Object, problem.ValueKind);
        Assert.True(problem.TryGetProperty("type", out var actualType), $"problem has no type: {body}");
        Assert.True(actualType.GetString() == type, $"expected type {type} but got {actualType.GetString()}: {body}");
        Assert.True(problem.TryGetProperty("status", out var actualStatus) && actualStatus.GetInt32() == (int)status,
            $"problem status does not match {(int)status}: {body}");
        return problem;
    }

    /// <summary>A 401 unauthorized problem with the <c>WWW-Authenticate: Bearer</c> header RFC 9110 (section 15.5.2) requires.</summary>
    public static async Task AssertUnauthorized(HttpResponseMessage response)
    {
        await AssertProblem(response, HttpStatusCode.Unauthorized, Payments.Api.Problems.ApiProblems.Types.Unauthorized);
        Assert.True(response.Headers.WwwAuthenticate.Any(h => h.Scheme == "Bearer"),
            $"401 without 'WWW-Authenticate: Bearer' (got '{response.Headers.WwwAuthenticate}')");
    }

    /// <summary>Asserts that a validation problem's <c>errors</c> object names <paramref name="field"/> with a message.</summary>
    public static void AssertNamesField(JsonElement problem, string field)
    {
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object,
            $"validation problem has no 'errors' object: {problem}");
        Assert.True(errors.TryGetProperty(field, out var messages),
            $"'errors' does not name '{field}': {errors}");
        Assert.Equal(JsonValueKind.Array, messages.ValueKind);
        Assert.NotEmpty(messages.EnumerateArray());
        Assert.All(messages.EnumerateArray(), m => Assert.False(string.IsNullOrWhiteSpace(m.GetString())));
    }

    public static async Task<JsonElement> AssertValidationProblem(HttpResponseMessage response, string field)
    {
        var problem = await AssertProblem(response, HttpStatusCode.BadRequest, ProblemPrefix + "validation-error");
        AssertNamesField(problem, field);
        return problem;
    }
}

/// <summary>One running API (own database) shared by all tests of a class: <c>IClassFixture&lt;SharedApi&gt;</c>.</summary>
public sealed class SharedApi : IAsyncLifetime
{
    public ApiFactory Api { get; private set; } = null!;
    public async Task InitializeAsync() => Api = await ApiFactory.Start();
    public async Task DisposeAsync() => await Api.DisposeAsync();
}

/// <summary>Marks a test that must run after the others of its class (with <see cref="RunLastOrderer"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RunLastAttribute : Attribute;

/// <summary>
/// Runs tests marked <see cref="RunLastAttribute"/> after the rest of the class, so tests asserting that
/// nothing was written can share a database with a test that writes.
/// Use: <c>[TestCaseOrderer(RunLastOrderer.TypeName, RunLastOrderer.AssemblyName)]</c>.
/// </summary>
public sealed class RunLastOrderer : ITestCaseOrderer
{
    public const string TypeName = "Payments.TestSupport.RunLastOrderer";
    public const string AssemblyName = "Payments.TestSupport";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases
            .OrderBy(t => t.TestMethod.Method.GetCustomAttributes(typeof(RunLastAttribute).AssemblyQualifiedName).Any() ? 1 : 0)
            .ThenBy(t => t.DisplayName, StringComparer.Ordinal)
            .ToList();
}
