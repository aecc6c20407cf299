using System.CommandLine;
using Spectre.Console;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Running;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci tick</c>: one reconcile step of the pipeline (<see cref="PipelineRunner.TickAsync"/>): poll running
/// attempts, collect, verify and publish finished ones, stop attempts past their deadline (watchdog), start ready
/// work, persist, and return without waiting. Run it every 5–30 minutes (the scheduled workflow, `dotnet cake
/// --target=Advance`); it is safe to skip, kill or run twice. On the kaggle backend the scheduler places each GPU
/// stage's chunk on an account (quota, reserve, two sessions per account); locally every ready stage starts.
/// A failed stage is not retried by later ticks (`steelci run` retries it).
/// Exit codes: 0 progress made or the pipeline is done (or waiting for quota), 1 a stage failed or is blocked,
/// 2 the pipeline file or arguments are wrong, 4 another tick holds the pipeline's lock (nothing was done).
/// </summary>
public static class TickCommand
{
    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var profile = CommonOptions.Profile();
        var data = CommonOptions.Data();
        var slots = new Option<int?>("--slots") { Description = "Local backend: stages that may run at once (default: one per core)" }.Positive();
        var store = new Option<string?>("--store") { Description = "local or github (default: the pipeline file's store); github keeps the state on GitHub too" };
        var kaggle = new KaggleRunOptions();
        var command = new Command("tick", "One idempotent reconcile step: poll, publish, place ready work, persist; never waits")
        {
            pipeline, workspace, profile, data, slots, store,
        };
        kaggle.AddTo(command);
        command.SetAction((result, cancellationToken) => TickAsync(new RunArguments(result.GetValue(pipeline)!, result.GetValue(workspace),
            result.GetValue(profile), result.GetValue(data) ?? [], result.GetValue(slots), result.GetValue(store), kaggle.Read(result)) { Scheduled = true }, services,
            cancellationToken));
        return command;
    }

    private static async Task<int> TickAsync(RunArguments arguments, CliServices services, CancellationToken cancellationToken)
    {
        var (pipeline, workspace) = (arguments.LoadPipeline(), arguments.Workspace);
        using var composition = await services.RunnerAsync(pipeline, workspace, arguments.Slots, arguments.Backend, TimeSpan.Zero, cancellationToken);
        var (console, reporter, runner, time) = (composition.Console, composition.Reporter, composition.Runner, composition.Time);
        console.WriteLine($"tick: {pipeline.Name}, profile {(pipeline.Profile == "default" ? "none (the base values)" : pipeline.Profile)}");

        RunSummary summary;
        try
        {
            summary = await runner.TickAsync(pipeline, new RunRequest(RetryFailed: false), cancellationToken);
        }
        catch (RunLockedException error)
        {
            console.WriteLine($"tick: {error.Message}; nothing done");
            return ExitCodes.Busy;
        }
        catch (StateLockedException error) // the GitHub state's lease is held, or another tick saved first
        {
            console.WriteLine($"tick: {error.Message}");
            return ExitCodes.Busy;
        }
        SummaryTable.Write(console, summary, composition.StoreLocation, reporter.Interactive);
        foreach (var line in PendingReport.Lines(summary, pipeline, composition.Placement, out _))
            console.WriteLine(line);
        var running = summary.Stages.Count(s => s.Status == State.StageStatus.Running);
        var broken = summary.Stages.Count(s => s.Status is State.StageStatus.Failed or State.StageStatus.Blocked);
        var done = summary.Stages.Count(s => s.Status is State.StageStatus.Complete or State.StageStatus.Reused);
        console.WriteLine($"tick: {done}/{summary.Stages.Count} done, {running} running, {broken} failed or blocked" +
            (summary.WatchdogStops > 0 ? $"; watchdog stopped {summary.WatchdogStops} attempt(s), {summary.LostWork.TotalHours:0.#} h of session time lost" : ""));
        await JobSummary.AppendAfterStepAsync(pipeline, summary, workspace, time, cancellationToken);
        await TickChart.RefreshAsync(console, services, pipeline, workspace, cancellationToken);
        await FailureIssues.UpdateAsync(console, summary, pipeline, workspace);
        await WorkflowSchedule.RestIfDoneAsync(console, summary, pipeline, workspace);
        KeepAlive.Warn(console, arguments.SpecPath, time);
        return Infrastructure.ExitCode(summary, null, requireSuccess: false);
    }
}
