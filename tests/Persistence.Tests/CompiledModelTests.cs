using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Design.Internal;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Scaffolding;
using Microsoft.Extensions.DependencyInjection;
using Payments.Persistence;
using Payments.TestSupport;

namespace Payments.Persistence.Tests;

/// <summary>
/// The app runs on the compiled model in src/Persistence/CompiledModel (start-up without building the model), not on
/// OnModelCreating: a model change without <c>dotnet ef dbcontext optimize</c> would run on the old model unseen. This
/// generates the compiled model from OnModelCreating again, as the tool does, and compares it with the committed files.
/// </summary>
public class CompiledModelTests
{
    const string ModelNamespace = "Payments.Persistence.CompiledModel";

    [Fact]
    public void Committed_compiled_model_is_what_optimize_generates_from_the_current_model()
    {
        using var db = new PaymentsDbContext(new DbContextOptionsBuilder<PaymentsDbContext>().UseNpgsql("Host=unused").Options);
        var assembly = typeof(PaymentsDbContext).Assembly;
#pragma warning disable EF1001 // The design-time services builder is what `dotnet ef` itself uses; no public equivalent.
        var reporter = new OperationReporter(handler: null);
        var services = new DesignTimeServicesBuilder(assembly, assembly, reporter, []).Build(db);
#pragma warning restore EF1001
        var generated = services.GetRequiredService<ICompiledModelCodeGenerator>().GenerateModel(
            db.GetService<IDesignTimeModel>().Model,
            new CompiledModelCodeGenerationOptions
            {
                ContextType = typeof(PaymentsDbContext),
                ModelNamespace = ModelNamespace,
                Language = "C#",
                UseNullableReferenceTypes = true,
            });

        var folder = Path.Combine(Repository.Root, "src", "Persistence", "CompiledModel");
        var committed = Directory.GetFiles(folder, "*.cs").Select(Path.GetFileName).Order().ToList();
        var stale = generated
            .Where(f => !File.Exists(Path.Combine(folder, f.Path)) || Normalise(File.ReadAllText(Path.Combine(folder, f.Path))) != Normalise(f.Code))
            .Select(f => f.Path)
            .Concat(committed.Except(generated.Select(f => f.Path))!)
            .ToList();

        Assert.True(stale.Count == 0,
            $"src/Persistence/CompiledModel is stale ({string.Join(", ", stale)}): the model changed without regenerating it. Run: " +
            "dotnet ef dbcontext optimize --project src/Persistence --startup-project src/Persistence --output-dir CompiledModel " +
            $"--namespace {ModelNamespace} --context PaymentsDbContext");
    }

    // The generator gives each run a new model id; everything else is a function of the model.
    static string Normalise(string code) =>
        Regex.Replace(code.TrimStart('\uFEFF').ReplaceLineEndings("\n"), @"modelId: new Guid\(""[0-9a-f-]+""\)", "modelId: _");
}
