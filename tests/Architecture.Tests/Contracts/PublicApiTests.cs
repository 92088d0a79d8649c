using PublicApiGenerator;
using Payments.Contracts;
using Payments.TestSupport;

namespace Payments.Architecture.Tests.Contracts;

/// <summary>
/// The public API of the Payments.Contracts package is the approved one, so a change to what downstream services compile
/// against is deliberate: contracts grow additively, and an incompatible change is a new type (src/Contracts/README.md).
/// </summary>
public class PublicApiTests
{
    const string ApprovedPath = "tests/Architecture.Tests/Contracts/Payments.Contracts.approved.txt";
    const string ApproveVariable = "PAYMENTS_APPROVE_PUBLIC_API";

    /// <summary>Source link puts the clone's remote in an AssemblyMetadata attribute: where it was built, not what it offers.</summary>
    static readonly ApiGeneratorOptions Options = new() { ExcludeAttributes = ["System.Reflection.AssemblyMetadataAttribute"] };

    [Fact]
    public void The_contracts_public_API_is_the_approved_one()
    {
        var approvedFile = Path.Combine(Repository.Root, ApprovedPath);
        var generated = Normalized(typeof(PaymentRequested).Assembly.GeneratePublicApi(Options));
        if (Environment.GetEnvironmentVariable(ApproveVariable) == "1")
            File.WriteAllText(approvedFile, generated + "\n");

        var approved = File.Exists(approvedFile) ? Normalized(File.ReadAllText(approvedFile)) : "";
        Assert.True(approved == generated,
            $"""
             The public API of Payments.Contracts differs from {ApprovedPath}:
             {LineDiff.Of(approved, generated)}
             Removing, renaming or retyping a member breaks every downstream consumer: add instead, or make a new type.
             If the change is meant (and additive), approve it and commit the file:
               {ApproveVariable}=1 bash scripts/test.sh --filter "FullyQualifiedName~PublicApi"
             """);
    }

    static string Normalized(string text) => text.ReplaceLineEndings("\n").TrimEnd();
}
