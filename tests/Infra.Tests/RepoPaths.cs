using Payments.TestSupport;

namespace Payments.Infra.Tests;

static class RepoPaths
{
    public static string Terraform => Path.Combine(Repository.Root, "infra", "terraform");

    public static string Hcl2Json => Path.Combine(Repository.Root, "tools", "hcl2json");
}
