using System.Diagnostics;
using SteelCI.Testing;
using YamlDotNet.RepresentationModel;

namespace SteelCI.Scheduling.Tests.Workflows;

/// <summary>
/// Every workflow in .github/workflows passes GitHub's own parser (@actions/languageservice 0.3.61 from npm, installed
/// by this test into a folder it controls: $STEELCI_WFLINT_DIR, else a versioned folder under the temp folder), and
/// the scheduled pipeline workflow keeps the properties issue 6 asks for. Needs node ≥ 20 and npm on PATH.
/// </summary>
public sealed class WorkflowTests
{
    public const string LanguageService = "@actions/languageservice@0.3.61";
    private static readonly Lazy<string> Linter = new(InstallLinter);

    [Fact]
    public void Every_workflow_passes_the_offline_validator()
    {
        var files = Directory.GetFiles(Repository.File(".github", "workflows"), "*.y*ml").Order().ToArray();
        Assert.Contains(files, f => Path.GetFileName(f) == "pipeline.yml");

        var (code, output) = Lint(files);

        Assert.True(code == 0, output);
        Assert.All(files, f => Assert.Contains($"{f}: ok", output));
    }

    [Fact]
    public void The_validator_refuses_a_broken_workflow()
    {
        using var dir = new TempDirectory("wflint");
        var bad = dir.Write("bad.yml", """
            on:
              schedule: [{cron: '61 * * * *'}]
            permissions: {contents: writ}
            jobs:
              a:
                runs-on: ubuntu-latest
                timeout-minute: 5
                steps:
                  - run: echo hi
            """);

        var (code, output) = Lint([bad]);

        Assert.Equal(1, code);
        Assert.Contains("Unexpected value 'writ'", output);
        Assert.Contains("Unexpected value 'timeout-minute'", output);
        Assert.Contains("Invalid cron expression", output);
    }

    [Fact]
    public void The_pipeline_workflow_is_scheduled_serialized_may_write_and_runs_Advance_with_one_secret_per_account()
    {
        var text = File.ReadAllText(Repository.File(".github", "workflows", "pipeline.yml"));
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        YamlNode At(YamlNode node, params string[] path) =>
            path.Aggregate(node, (n, key) => ((YamlMappingNode)n).Children[new YamlScalarNode(key)]);
        string Scalar(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

        var on = (YamlMappingNode)At(root, "on");
        Assert.True(on.Children.ContainsKey(new YamlScalarNode("workflow_dispatch")));
        var crons = ((YamlSequenceNode)At(on, "schedule")).Select(item => Scalar(item, "cron")).ToList();
        Assert.NotEmpty(crons);
        Assert.All(crons, cron =>
        {
            var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(5, fields.Length);
            Assert.DoesNotContain("0", fields[0].Split(',')); // not at the busy top of the hour
        });
        Assert.Equal("write", Scalar(root, "permissions", "contents"));
        Assert.Equal("false", Scalar(root, "concurrency", "cancel-in-progress"));
        Assert.False(string.IsNullOrWhiteSpace(Scalar(root, "concurrency", "group")));

        var job = (YamlMappingNode)((YamlMappingNode)At(root, "jobs")).Children.Values.Single();
        Assert.True(int.Parse(Scalar(job, "timeout-minutes")) < 360);
        var env = (YamlMappingNode)At(job, "env");
        var accounts = Scalar(env, "STEELCI_KAGGLE_ACCOUNTS").Split(',');
        Assert.NotEmpty(accounts);
        foreach (var account in accounts)
        {
            var variable = "KAGGLE_API_TOKEN_" + account.ToUpperInvariant();
            Assert.Equal($"${{{{ secrets.{variable} }}}}", Scalar(env, variable)); // one secret per account, by name
        }
        var secrets = System.Text.RegularExpressions.Regex.Matches(text, @"secrets\.([A-Za-z0-9_]+)").Select(m => m.Groups[1].Value).Distinct();
        Assert.All(secrets, s => Assert.True(s == "GITHUB_TOKEN" || s.StartsWith("KAGGLE_"), $"unexpected secret {s}"));
        var runs = ((YamlSequenceNode)At(job, "steps")).OfType<YamlMappingNode>()
            .Where(s => s.Children.ContainsKey(new YamlScalarNode("run"))).Select(s => Scalar(s, "run")).ToList();
        Assert.Contains(runs, r => r.StartsWith("dotnet tool restore && dotnet cake --target=Advance"));
    }

    private static (int Code, string Output) Lint(IEnumerable<string> files)
    {
        var folder = Linter.Value;
        return Run("node", ["--import", "./register.mjs", "lint.mjs", .. files], folder, TimeSpan.FromMinutes(2));
    }

    /// <summary>npm-installs the language service once into the linter folder and puts the two scripts beside it.</summary>
    private static string InstallLinter()
    {
        var folder = Environment.GetEnvironmentVariable("STEELCI_WFLINT_DIR")
            ?? Path.Combine(Path.GetTempPath(), "steelci-wflint-" + LanguageService.Split('@')[^1]);
        Directory.CreateDirectory(folder);
        foreach (var script in new[] { "lint.mjs", "register.mjs" })
            File.Copy(Repository.File("tests", "SteelCI.Scheduling.Tests", "Workflows", script), Path.Combine(folder, script), overwrite: true);
        if (!File.Exists(Path.Combine(folder, "node_modules", "@actions", "languageservice", "package.json")))
        {
            var (code, output) = Run("npm", ["install", "--no-audit", "--no-fund", "--prefix", folder, LanguageService], folder, TimeSpan.FromMinutes(5));
            Assert.True(code == 0, $"npm install {LanguageService} failed (node >= 20 and npm are needed on PATH):\n{output}");
        }
        return folder;
    }

    private static (int Code, string Output) Run(string program, IReadOnlyList<string> arguments, string directory, TimeSpan limit)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new InvalidOperationException($"{program} is not on PATH; the workflow validator needs node >= 20 and npm", error);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran past {limit}");
            }
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }
}
