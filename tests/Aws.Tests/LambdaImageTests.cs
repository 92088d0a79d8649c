using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Payments.TestSupport;

namespace Payments.Aws.Tests;

/// <summary>
/// What can be checked of the Lambda images without Docker: pinned base images, an unprivileged final stage, entry
/// points that exist in the build output of the project each image publishes, and the Web Adapter's wiring.
/// </summary>
public partial class LambdaImageTests
{
    [Theory]
    [InlineData("Dockerfile.api")]
    [InlineData("Dockerfile.worker")]
    public void Every_base_image_is_pinned_to_an_exact_version(string file)
    {
        var dockerfile = Dockerfile.Load(file);
        var images = dockerfile.ExternalImages().ToList();
        Assert.NotEmpty(images);
        foreach (var image in images)
            Assert.True(IsPinned(image), $"{file}: {image} is not pinned to an exact version (x.y.z tag or @sha256 digest)");
    }

    [Theory]
    [InlineData("Dockerfile.api")]
    [InlineData("Dockerfile.worker")]
    public void The_final_stage_runs_as_an_unprivileged_user(string file)
    {
        var final = Dockerfile.Load(file).Stages[^1];
        var user = final.Instructions.LastOrDefault(i => i.Keyword == "USER")?.Arguments;
        Assert.False(user is null, $"{file}: the final stage sets no USER, so it runs as root");
        var name = user!.Split(':')[0].Trim();
        Assert.DoesNotContain(name, new[] { "root", "0", "" });
    }

    [Theory]
    [InlineData("Dockerfile.api", "src/Api/Api.csproj", "Payments.Api.dll")]
    [InlineData("Dockerfile.worker", "src/Workers/Workers.csproj", "Payments.Workers.dll")]
    public void The_entry_point_is_the_published_project_and_exists_in_its_build_output(string file, string project, string dll)
    {
        var dockerfile = Dockerfile.Load(file);
        Assert.Contains(dockerfile.Stages.SelectMany(s => s.Instructions),
            i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish") && i.Arguments.Contains(project));
        Assert.True(File.Exists(Path.Combine(Repository.Root, project)), $"{project} does not exist");

        var entryPoint = dockerfile.Stages[^1].Instructions.LastOrDefault(i => i.Keyword == "ENTRYPOINT");
        Assert.False(entryPoint is null, $"{file}: the final stage has no ENTRYPOINT");
        // Exec form: Lambda passes no shell, and SIGTERM must reach dotnet itself.
        var argv = JsonSerializer.Deserialize<string[]>(entryPoint!.Arguments);
        Assert.Equal(["dotnet", dll], argv ?? []);
        // The test project references both projects, so their build output sits next to this assembly.
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, dll)), $"{dll} is not in the build output");
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, Path.ChangeExtension(dll, ".runtimeconfig.json"))),
            $"{dll} is not an application (no runtimeconfig.json)");
    }

    [Fact]
    public void The_api_image_carries_the_web_adapter_as_an_extension_wired_to_the_apis_port()
    {
        var final = Dockerfile.Load("Dockerfile.api").Stages[^1];
        var adapter = final.Instructions.SingleOrDefault(i => i.Keyword == "COPY" && i.Arguments.Contains("/opt/extensions/lambda-adapter"));
        Assert.False(adapter is null, "the final stage does not copy the adapter to /opt/extensions/lambda-adapter");
        Assert.Matches(@"^--from=public\.ecr\.aws/awsguru/aws-lambda-adapter:\S+ /lambda-adapter /opt/extensions/lambda-adapter$", adapter!.Arguments);

        var env = final.Environment();
        Assert.Equal("/health/live", env.GetValueOrDefault("AWS_LWA_READINESS_CHECK_PATH"));
        Assert.Equal("8080", env.GetValueOrDefault("AWS_LWA_PORT"));
        // Kestrel's port is the aspnet base image's ASPNETCORE_HTTP_PORTS=8080; ASPNETCORE_URLS would override it (and log
        // a warning at every start).
        Assert.False(env.ContainsKey("ASPNETCORE_URLS"), "ASPNETCORE_URLS overrides the base image's ASPNETCORE_HTTP_PORTS");
        Assert.Equal("8080", env.GetValueOrDefault("ASPNETCORE_HTTP_PORTS", "8080"));
    }

    [Theory]
    [InlineData("Dockerfile.api")]
    [InlineData("Dockerfile.worker")]
    public void The_sdk_stage_cross_publishes_for_the_target_architecture_and_the_runtime_stage_is_the_target(string file)
    {
        // docker build --platform linux/<arch>: BuildKit sets TARGETARCH; the SDK runs natively on the build machine
        // ($BUILDPLATFORM) and publishes for the RID mapped from TARGETARCH (tests/Infra.Tests/ImageArchitectureTests.cs
        // checks that mapping against the Terraform variable); the runtime stage takes the target platform.
        var dockerfile = Dockerfile.Load(file);
        var build = dockerfile.Stages.Single(s => s.Instructions.Any(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish")));
        Assert.Equal("$BUILDPLATFORM", build.Platform);
        Assert.Contains(build.Instructions, i => i.Keyword == "ARG" && i.Arguments == "TARGETARCH");
        var publish = build.Instructions.Single(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish")).Arguments;
        Assert.Contains("case \"$TARGETARCH\" in", publish);
        Assert.Matches(@"dotnet publish \S+ .*-r ""\$rid""", publish);

        var final = dockerfile.Stages[^1];
        Assert.True(final.Platform is null or "$TARGETPLATFORM", $"{file}: the final stage must be the target platform, not {final.Platform}");
        Assert.DoesNotContain(final.Instructions, i => i.Keyword == "RUN"); // nothing to emulate when cross-building
    }

    [Fact]
    public void The_worker_image_has_no_web_adapter_because_its_own_loop_is_the_runtime()
    {
        var text = string.Join('\n', Dockerfile.Load("Dockerfile.worker").Stages.SelectMany(s => s.Instructions).Select(i => i.Arguments));
        Assert.DoesNotContain("lambda-adapter", text);
        Assert.DoesNotContain("/opt/extensions", text);
    }

    [Fact]
    public async Task The_readiness_path_the_adapter_probes_answers_on_the_real_api()
    {
        var path = Dockerfile.Load("Dockerfile.api").Stages[^1].Environment()["AWS_LWA_READINESS_CHECK_PATH"];
        await using var api = await ApiFactory.Start();
        using var response = await api.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void The_build_context_leaves_out_build_output_and_local_state()
    {
        var ignored = File.ReadAllLines(Path.Combine(Repository.Root, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet();
        foreach (var pattern in new[] { "**/bin", "**/obj", "**/node_modules", ".local", ".git" })
            Assert.Contains(pattern, ignored);
    }

    /// <summary>An exact version tag (at least major.minor.patch) or a digest; never <c>latest</c> or a floating <c>10.0</c>.</summary>
    static bool IsPinned(string image)
    {
        if (Regex.IsMatch(image, "@sha256:[0-9a-f]{64}$"))
            return true;
        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var colon = lastSegment.IndexOf(':');
        return colon >= 0 && ExactVersion().IsMatch(lastSegment[(colon + 1)..]);
    }

    [GeneratedRegex(@"^v?\d+\.\d+\.\d+([.-][0-9A-Za-z.-]+)?$")]
    private static partial Regex ExactVersion();

    sealed record Instruction(string Keyword, string Arguments);

    sealed record Stage(string Image, string? Name, string? Platform, List<Instruction> Instructions)
    {
        /// <summary>ENV values of this stage, both <c>ENV K=V K2=V2</c> and <c>ENV K V</c> forms (unquoted values).</summary>
        public Dictionary<string, string> Environment()
        {
            var env = new Dictionary<string, string>();
            foreach (var i in Instructions.Where(i => i.Keyword == "ENV"))
            {
                if (!i.Arguments.Split(' ', 2)[0].Contains('='))
                {
                    var parts = i.Arguments.Split(' ', 2, StringSplitOptions.TrimEntries);
                    env[parts[0]] = parts.Length > 1 ? parts[1] : "";
                    continue;
                }
                foreach (var pair in i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = pair.IndexOf('=');
                    env[pair[..eq]] = pair[(eq + 1)..].Trim('"');
                }
            }
            return env;
        }
    }

    /// <summary>Just enough of the Dockerfile grammar: comments, line continuations, stages, instructions.</summary>
    sealed class Dockerfile
    {
        public List<Stage> Stages { get; } = [];

        public static Dockerfile Load(string name)
        {
            var dockerfile = new Dockerfile();
            var logical = new List<string>();
            var current = "";
            foreach (var raw in File.ReadAllLines(Path.Combine(Repository.Root, name)))
            {
                var line = raw.Trim();
                if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
                    continue;
                if (line.EndsWith('\\'))
                {
                    current += line[..^1] + " ";
                    continue;
                }
                logical.Add(current + line);
                current = "";
            }
            foreach (var line in logical.Where(l => l.Length > 0))
            {
                var parts = line.Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var keyword = parts[0].ToUpperInvariant();
                var arguments = Regex.Replace(parts.Length > 1 ? parts[1] : "", @"\s+", " ");
                if (keyword == "FROM")
                {
                    var words = arguments.Split(' ').Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToArray();
                    var stageName = words.Length >= 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null;
                    var platform = Regex.Match(arguments, @"(?:^| )--platform=(\S+)");
                    dockerfile.Stages.Add(new Stage(words[0], stageName, platform.Success ? platform.Groups[1].Value : null, []));
                }
                else
                {
                    Assert.True(dockerfile.Stages.Count > 0, $"{name}: {keyword} before the first FROM");
                    dockerfile.Stages[^1].Instructions.Add(new Instruction(keyword, arguments));
                }
            }
            Assert.True(dockerfile.Stages.Count > 0, $"{name} has no FROM");
            return dockerfile;
        }

        /// <summary>Images pulled from a registry: FROM images that are not earlier stages, and COPY --from=&lt;image&gt;.</summary>
        public IEnumerable<string> ExternalImages()
        {
            var stageNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var stage in Stages)
            {
                if (!stageNames.Contains(stage.Image))
                    yield return stage.Image;
                foreach (var copy in stage.Instructions.Where(i => i.Keyword is "COPY" or "ADD"))
                {
                    var from = Regex.Match(copy.Arguments, @"--from=(\S+)");
                    if (from.Success && !stageNames.Contains(from.Groups[1].Value) && !int.TryParse(from.Groups[1].Value, out _))
                        yield return from.Groups[1].Value;
                }
                if (stage.Name is not null)
                    stageNames.Add(stage.Name);
            }
        }
    }
}
