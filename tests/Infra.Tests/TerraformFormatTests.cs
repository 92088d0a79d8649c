using Payments.TestSupport;

namespace Payments.Infra.Tests;

public class TerraformFormatTests
{
    [Fact]
    public void Terraform_files_are_formatted()
    {
        // terraform is on the PATH of the build machines; without it this fails (CI never skips it).
        var result = ProcessRunner.Run("terraform", ["fmt", "-check", "-recursive", "-diff", RepoPaths.Terraform], Repository.Root,
            TimeSpan.FromMinutes(1));

        Assert.True(result.ExitCode == 0,
            $"terraform fmt -check found unformatted files (run `terraform fmt -recursive infra/terraform`):\n{result.Stdout}\n{result.Stderr}");
    }
}
