using System.CommandLine;
using Spectre.Console;
using SteelCI.Running;

namespace SteelCI.Cli;

/// <summary><c>steelci run</c>: runs the pipeline here to the end and prints the summary.</summary>
public static class RunCommand
{
    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var profile = CommonOptions.Profile();
        var data = CommonOptions.Data();
        var force = new Option<bool>("--force") { Description = "Retrain every stage even where a release with the same content key exists" };
        var slots = new Option<int?>("--slots") { Description = "Stages that may run at once (default: one per core)" }.Positive();
        var session = new Option<double?>("--session-minutes") { Description = "Override the session limit; a stage that needs longer checkpoints and resumes" }.Positive();
        var store = new Option<string?>("--store") { Description = "local or github (default: the pipeline file's store)" };
        var kaggle = new KaggleRunOptions();
        var command = new Command("run", "Run the pipeline (backend local, kaggle or slurm; store local or github) and print a summary")
        {
            pipeline, workspace, profile, data, force, slots, session, store,
        };
        kaggle.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(new RunArguments(result.GetValue(pipeline)!, result.GetValue(workspace),
            result.GetValue(profile), result.GetValue(data) ?? [], result.GetValue(slots), result.GetValue(store), kaggle.Read(result))
        {
            Force = result.GetValue(force), SessionMinutes = result.GetValue(session),
        }, services, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(RunArguments arguments, CliServices services, CancellationToken cancellationToken)
    {
        var (pipeline, workspace, force) = (arguments.LoadPipeline(), arguments.Workspace, arguments.Force);
        using var composition = await services.RunnerAsync(pipeline, workspace, arguments.Slots, arguments.Backend,
            arguments.Backend.PollInterval(pipeline.Backend), cancellationToken);
        var (console, reporter, runner, kaggle, time) = (composition.Console, composition.Reporter, composition.Runner, composition.Kaggle, composition.Time);

        reporter.Info(kaggle is null
            ? $"pipeline {pipeline.Name}, profile {pipeline.Profile}, {composition.Backend.Slots} slot(s) x {composition.Threads} thread(s), workspace {workspace.Root}"
            : $"pipeline {pipeline.Name}, profile {pipeline.Profile}, backend kaggle, {composition.Backend.Slots} slot(s), workspace {workspace.Root}");
        await WorkflowSchedule.WakeAsync(console, pipeline, workspace);
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
        SummaryTable.Write(console, summary, composition.StoreLocation, reporter.Interactive);
        await JobSummary.AppendAfterStepAsync(pipeline, summary, workspace, time, cancellationToken);
        var pending = PendingReport.Lines(summary, pipeline, composition.Placement, out var explained);
        foreach (var line in pending)
            console.WriteLine(line);
        if (explained > 0 && !summary.Stages.Any(s => s.Status is State.StageStatus.Failed or State.StageStatus.Blocked or State.StageStatus.Running))
        {
            // Capacity, not failure: nothing failed, and what is left cannot start now (issue 14 item 3).
            console.WriteLine($"run: {pending.Count} stage(s) pending and nothing can start now; run `steelci run` again, or let the " +
                "scheduled tick place them, once an account has quota above its owner's reserve");
            return ExitCodes.Success;
        }
        return Infrastructure.ExitCode(summary, null, requireSuccess: true);
    }

    public static string Version() => RunnerComposition.Version();
}
