using System.CommandLine;
using System.Reflection;
using Spectre.Console;
using SteelCI.Kernels;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Running;

namespace SteelCI.Cli;

/// <summary><c>steelci run</c>: runs the pipeline here to the end and prints the summary.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var profile = CommonOptions.Profile();
        var data = CommonOptions.Data();
        var force = new Option<bool>("--force") { Description = "Retrain every stage even where a release with the same content key exists" };
        var slots = new Option<int?>("--slots") { Description = "Stages that may run at once (default: one per core)" };
        var session = new Option<double?>("--session-minutes") { Description = "Override the session limit; a stage that needs longer checkpoints and resumes" };
        var store = new Option<string?>("--store") { Description = "local or github (default: the pipeline file's store)" };
        var kaggle = new KaggleRunOptions();
        var command = new Command("run", "Run the pipeline (backend local or kaggle, store local or github) and print a summary")
        {
            pipeline, workspace, profile, data, force, slots, session, store,
        };
        kaggle.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(pipeline)!, result.GetValue(workspace), result.GetValue(profile), result.GetValue(data) ?? [],
            result.GetValue(force), result.GetValue(slots), result.GetValue(session), result.GetValue(store), kaggle.Read(result), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string specPath, string? workspaceRoot, string? profile, string[] data, bool force,
        int? slots, double? sessionMinutes, string? storeName, KaggleRunOptions.Values backendOptions, CancellationToken cancellationToken)
    {
        var pipeline = backendOptions.Apply(PipelineLoading.Load(specPath, profile, data, sessionMinutes));
        if (storeName is not null)
            pipeline = pipeline with { Store = storeName };

        var workspace = Workspace.For(specPath, workspaceRoot);
        var console = AnsiConsole.Console;
        var time = TimeProvider.System;
        var processes = new SystemProcessRunner();
        var (slotCount, threads) = LocalBackend.SizeFor(Environment.ProcessorCount, slots);
        var reporter = new ConsoleReporter(console, time);
        if (!reporter.Interactive)
            console.Profile.Width = Math.Max(console.Profile.Width, 160); // logs are read in wide viewers, not 80 columns
        using var store = StoreWiring.Create(pipeline.Store, workspace, time, reporter.Info);
        using var kaggle = pipeline.Backend == "kaggle" ? KaggleWiring.Create(backendOptions, workspace.Root, console, time) : null;
        IComputeBackend backend = kaggle is not null ? kaggle.Backend : new LocalBackend(processes, workspace.Root, slotCount, threads);
        var runner = new PipelineRunner(
            backend,
            store.Store,
            store.StateFor(pipeline.Name),
            new KernelPackager(new TrainerPublisher(processes, workspace.Root, kaggle is null ? null : KaggleWiring.TrainerRuntime), workspace.Root),
            reporter,
            time,
            new RunnerOptions(backendOptions.PollInterval(pipeline.Backend), Version(), await SourceCommitAsync(processes, specPath, cancellationToken)));

        reporter.Info(kaggle is null
            ? $"pipeline {pipeline.Name}, profile {pipeline.Profile}, {slotCount} slot(s) x {threads} thread(s), workspace {workspace.Root}"
            : $"pipeline {pipeline.Name}, profile {pipeline.Profile}, backend kaggle, {backend.Slots} slot(s), workspace {workspace.Root}");
        RunSummary summary;
        if (reporter.Interactive)
            summary = await console.Status().StartAsync("starting", async context =>
            {
                reporter.StatusChanged = text => context.Status(text);
                return await runner.RunAsync(pipeline, new RunRequest(force), cancellationToken);
            });
        else
            summary = await runner.RunAsync(pipeline, new RunRequest(force), cancellationToken);
        if (kaggle is not null)
            reporter.Info($"kaggle: uploaded {kaggle.Backend.BytesUploaded:N0} bytes of kernel sources (runtime, bundle, inputs) this run");
        SummaryTable.Write(console, summary, store.Store.Location, reporter.Interactive);
        await JobSummary.AppendAfterStepAsync(pipeline, summary, workspace, time, cancellationToken);
        return Infrastructure.ExitCode(summary, null, requireSuccess: true);
    }

    public static string Version() =>
        typeof(RunCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static async Task<string?> SourceCommitAsync(IProcessRunner processes, string specPath, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(specPath))!;
        try
        {
            var result = await processes.RunAsync(new ProcessSpec("git", ["rev-parse", "HEAD"], directory), cancellationToken);
            return result.ExitCode == 0 ? result.Output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // git is not installed: lineage simply has no commit
        }
    }
}
