using System.CommandLine;
using System.Text;
using Spectre.Console;
using SteelCI.GitHub;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Credentials;
using SteelCI.Local;
using SteelCI.Ports;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci doctor [pipeline]</c>: checks the setup a run needs and says how to fix each problem. Locally: dotnet,
/// python3, libstdc++'s GLIBCXX level (whether the glibcxx fix applies), free disk in the workspace, and whether the
/// scheduled workflow is about to be disabled. With the kaggle backend, per account: token valid (IntrospectToken),
/// GPU entitlement, quota left against the reserve, sessions in use. With the github store (or GITHUB_REPOSITORY set):
/// token valid, its scopes and access to the repository. Exit 0 when nothing blocks a run (warnings allowed), 2 when
/// something does.
/// </summary>
public static partial class DoctorCommand
{
    public enum Level { Ok, Warn, Fail }

    public sealed record Finding(string Area, string Check, Level Level, string Detail, string? Fix = null);

    /// <summary>Where to look for libstdc++ (tests point it at a file of their own).</summary>
    public static IReadOnlyList<string> LibStdCxxCandidates { get; set; } =
        ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6"];

    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var store = new Option<string?>("--store") { Description = "local or github (default: the pipeline file's store)" };
        var kaggle = new KaggleRunOptions();
        var command = new Command("doctor", "Check dotnet, python3, libstdc++, disk, Kaggle accounts and GitHub access; say how to fix each problem")
        {
            pipeline, workspace, store,
        };
        kaggle.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(pipeline)!, result.GetValue(workspace),
            result.GetValue(store), kaggle.Read(result), services, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string specPath, string? workspaceRoot, string? storeName, KaggleRunOptions.Values backend,
        CliServices services, CancellationToken cancellationToken)
    {
        var (console, time) = (services.Console, services.Time);
        var findings = new List<Finding>();
        using var context = services.Operate(specPath, workspaceRoot, null, backend, strict: false);
        if (context.PipelineProblem is not null)
            findings.Add(new("pipeline", Path.GetFileName(specPath), Level.Fail, context.PipelineProblem,
                "fix the file (steelci validate shows the line), or pass the pipeline file as the first argument"));
        var pipeline = context.Pipeline;

        findings.Add(await DotnetAsync(services.Processes, cancellationToken));
        findings.Add(await PythonAsync(services.Processes, cancellationToken));
        findings.Add(LibStdCxx());
        findings.Add(Disk(context.Workspace.Root));
        var stale = KeepAlive.Check(Path.GetDirectoryName(Path.GetFullPath(specPath))!, time.GetUtcNow());
        if (stale is not null)
            findings.Add(new("local", "scheduled workflow", Level.Warn, stale));

        if (pipeline?.Backend == "kaggle")
            findings.AddRange(await KaggleAsync(services, context, backend, console, cancellationToken));
        if (pipeline is not null && pipeline.Nodes.Any(n => pipeline.BackendsOf(n).Contains("slurm")))
            findings.AddRange(await SlurmDoctor.CheckAsync(services, pipeline, cancellationToken));
        var store = storeName ?? pipeline?.Store ?? "local";
        if (store == "github" || Environment.GetEnvironmentVariable("GITHUB_REPOSITORY") is not null)
            findings.AddRange(await GitHubAsync(context.Workspace, required: store == "github", cancellationToken));

        Write(OperateContext.Wide(console), findings);
        var failures = findings.Count(f => f.Level == Level.Fail);
        var warnings = findings.Count(f => f.Level == Level.Warn);
        console.WriteLine(failures > 0
            ? $"doctor: {failures} problem(s) block a run, {warnings} warning(s)."
            : $"doctor: nothing blocks a run ({warnings} warning(s)).");
        return failures > 0 ? ExitCodes.InvalidInput : ExitCodes.Success;
    }

    private static void Write(IAnsiConsole console, IReadOnlyList<Finding> findings)
    {
        var table = new Table().Border(console.Profile.Capabilities.Interactive ? TableBorder.Rounded : TableBorder.Ascii);
        table.AddColumns("area", "check", "", "detail", "fix");
        foreach (var f in findings)
        {
            var mark = f.Level switch { Level.Ok => "[green]ok[/]", Level.Warn => "[yellow]warn[/]", _ => "[red]FAIL[/]" };
            table.AddRow(Markup.Escape(f.Area), Markup.Escape(f.Check), mark, Markup.Escape(f.Detail), Markup.Escape(f.Fix ?? ""));
        }
        console.Write(table);
    }
}
