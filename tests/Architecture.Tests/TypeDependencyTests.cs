using System.Reflection;
using NetArchTest.Rules;

namespace Payments.Architecture.Tests;

/// <summary>What the compiled assemblies use, where the project graph cannot tell (a host reaches everything it composes).</summary>
public class TypeDependencyTests
{
    static readonly string[] Database = ["Microsoft.EntityFrameworkCore", "Npgsql"];

    [Fact]
    public void The_API_holds_no_SQL_and_maps_HTTP_only()
    {
        AssertNone(Types.InAssembly(typeof(Program).Assembly), Database);
    }

    [Fact]
    public void The_AWS_adapter_uses_neither_EF_Core_nor_Npgsql_nor_Persistence()
    {
        AssertNone(Types.InAssembly(Assembly.Load("Payments.Aws")), [.. Database, "Payments.Persistence"]);
    }

    [Fact]
    public void The_shared_bus_configuration_uses_no_transport_adapter()
    {
        AssertNone(Types.InAssembly(Assembly.Load("Payments.Messaging")), ["Payments.Aws", "Amazon"]);
    }

    [Theory]
    [InlineData("Payments.Contracts")]
    [InlineData("Payments.Sagas")]
    [InlineData("Payments.Outbox")]
    [InlineData("Payments.Processing")]
    public void The_core_uses_no_adapter_host_or_storage(string assembly)
    {
        AssertNone(Types.InAssembly(Assembly.Load(assembly)),
            [.. Database, "Amazon", "Payments.Persistence", "Payments.Aws", "Payments.Messaging", "Payments.Api", "Payments.Workers"]);
    }

    static void AssertNone(Types types, string[] dependencies)
    {
        var result = types.ShouldNot().HaveDependencyOnAny(dependencies).GetResult();
        Assert.True(result.IsSuccessful,
            $"types depending on {string.Join(", ", dependencies)}: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }
}
