using System.Text.RegularExpressions;
using Payments.TestSupport;

namespace Payments.Infra.Tests;

/// <summary>
/// One architecture end to end: every value the Terraform variable lambda_architecture allows becomes, through the README's
/// Deploy lines, a docker --platform whose TARGETARCH each Dockerfile publishes for with the matching .NET RID; and the
/// README builds images Lambda accepts (one platform, no provenance or SBOM attestations).
/// </summary>
[Collection(TerraformCollection.Name)]
public partial class ImageArchitectureTests(TerraformFixture fixture)
{
    /// <summary>Lambda's architectures and the .NET runtime identifier a function of that architecture runs.</summary>
    static readonly Dictionary<string, string> RuntimeIdentifiers = new() { ["x86_64"] = "linux-x64", ["arm64"] = "linux-arm64" };

    static readonly string[] Dockerfiles = ["Dockerfile.api", "Dockerfile.worker"];

    [Fact]
    public void Both_functions_take_their_architecture_from_the_variable()
    {
        foreach (var name in new[] { "api", "worker" })
        {
            var architectures = fixture.Model.Resource("aws_lambda_function", name).Body["architectures"]?.ToJsonString();
            Assert.Equal("""["${var.lambda_architecture}"]""", architectures);
        }
    }

    [Fact]
    public void Every_allowed_architecture_builds_images_for_the_runtime_identifier_lambda_runs()
    {
        var allowed = AllowedArchitectures();
        Assert.NotEmpty(allowed);
        foreach (var architecture in allowed)
        {
            Assert.True(RuntimeIdentifiers.TryGetValue(architecture, out var expectedRid),
                $"lambda_architecture allows '{architecture}', which this test (and probably the Dockerfiles) does not know");

            var platform = RunShell(ReadmePlatformMapping(), "PLATFORM", "ARCH", architecture);
            Assert.Matches("^linux/[a-z0-9]+$", platform);
            var targetArch = platform["linux/".Length..];

            foreach (var dockerfile in Dockerfiles)
            {
                var rid = RunShell(DockerfileRidMapping(dockerfile), "rid", "TARGETARCH", targetArch);
                Assert.True(rid == expectedRid,
                    $"{dockerfile}: lambda_architecture {architecture} -> --platform {platform} -> TARGETARCH {targetArch} publishes for '{rid}', not {expectedRid}");
            }
        }
    }

    [Fact]
    public void The_readme_builds_single_platform_images_without_attestations_for_the_variables_architecture()
    {
        var deploy = ReadmeDeploySection();
        var builds = deploy.Split('\n').Where(l => Regex.IsMatch(l, @"^\s*docker (buildx )?build\b")).ToList();
        Assert.Equal(Dockerfiles.Length, builds.Count);
        foreach (var dockerfile in Dockerfiles)
            Assert.Contains(builds, b => b.Contains(dockerfile));
        foreach (var build in builds)
        {
            // Without them BuildKit pushes an image index with an attestation manifest, which Lambda refuses.
            Assert.Contains("--provenance=false", build);
            Assert.Contains("--sbom=false", build);
            Assert.Matches(@"--platform ""?\$PLATFORM""?(\s|$)", build);
        }

        // The same ARCH is the functions' architecture: every terraform apply gets it as -var lambda_architecture.
        Assert.Matches(@"-var lambda_architecture=""?\$ARCH""?(\s|""|$)", deploy);
        var applies = deploy.Split('\n').Where(l => Regex.IsMatch(l, @"^\s*terraform apply\b")).ToList();
        Assert.NotEmpty(applies);
        Assert.All(applies, apply => Assert.Contains("$VARS", apply));
    }

    IReadOnlyList<string> AllowedArchitectures()
    {
        var variable = fixture.Model.Variables["lambda_architecture"];
        var condition = variable["validation"]?[0]?["condition"]?.GetValue<string>() ?? "";
        var list = Regex.Match(condition, @"contains\(\[(?<values>[^\]]*)\],\s*var\.lambda_architecture\)");
        Assert.True(list.Success, $"lambda_architecture's validation is not contains([...], var.lambda_architecture): {condition}");
        var allowed = Regex.Matches(list.Groups["values"].Value, @"""([^""]+)""").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains(variable["default"]?.GetValue<string>(), allowed);
        return allowed;
    }

    static string ReadmeDeploySection()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var section = Regex.Match(readme, @"(?ms)^## Deploy\s*$(.*?)(?=^## |\z)");
        Assert.True(section.Success, "README.md has no '## Deploy' section");
        return section.Groups[1].Value;
    }

    /// <summary>The README's one line that sets PLATFORM from ARCH (a shell case).</summary>
    static string ReadmePlatformMapping()
    {
        var line = ReadmeDeploySection().Split('\n').SingleOrDefault(l => Regex.IsMatch(l, @"^\s*case ""?\$ARCH""? in .*PLATFORM=.*esac"));
        Assert.True(line is not null, "README.md's Deploy section has no line `case $ARCH in … PLATFORM=linux/… esac`");
        return line;
    }

    /// <summary>The shell case that sets rid from TARGETARCH in the Dockerfile's publish RUN (continuations joined).</summary>
    static string DockerfileRidMapping(string dockerfile)
    {
        var text = File.ReadAllText(Path.Combine(Repository.Root, dockerfile)).Replace("\\\n", "\n");
        var mapping = Regex.Match(text, @"(?ms)^RUN (case ""\$TARGETARCH"" in.*?esac)");
        Assert.True(mapping.Success, $"{dockerfile}: no RUN starting with case \"$TARGETARCH\" in … esac");
        return mapping.Groups[1].Value;
    }

    /// <summary>Runs a shell snippet (as RUN and a terminal would: /bin/sh) with one variable set and returns another.</summary>
    static string RunShell(string snippet, string output, string inputName, string inputValue)
    {
        var script = $"{inputName}='{inputValue}'\n{snippet}\nprintf '%s' \"${output}\"";
        var result = ProcessRunner.Run("sh", ["-c", script], Repository.Root, TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"sh failed ({result.ExitCode}) for {inputName}={inputValue}:\n{snippet}\n{result.Stderr}");
        return result.Stdout;
    }
}
