using System.CommandLine;
using Spectre.Console;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci cancel [stage] [pipeline]</c>: stops the active attempts of one stage, or of the whole pipeline, and
/// records them as cancelled (their stages failed with a reason, so ticks leave them alone until <c>steelci retry</c>
/// or <c>steelci run</c>). Each attempt's backend cancels it (<c>IComputeBackend.CancelAsync</c>: local kills the
/// process tree; Kaggle, whose API cannot stop a session, deletes the kernel with its output and log; Slurm cancels the
/// job). Runs under the state lock: a
/// <c>steelci run</c> in progress holds it (stop that run with Ctrl+C first); ticks hold it only briefly.
/// </summary>
public static class CancelCommand
{
    public static Command Create(CliServices services)
    {
        var stage = new Argument<string?>("stage") { Description = "The stage to stop (default: every active attempt)", Arity = ArgumentArity.ZeroOrOne };
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var kaggle = new KaggleRunOptions();
        var store = new Option<string?>("--store") { Description = "local or github: where the state is kept (default: the pipeline file's store)" };
        var command = new Command("cancel", "Stop a stage's (or the run's) active attempts; on Kaggle this deletes their kernels")
        {
            stage, pipeline, workspace, store,
        };
        kaggle.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var (stageName, spec) = StageAndPipeline(result.GetValue(stage), result.GetValue(pipeline)!, result.GetResult(pipeline)?.Implicit ?? true);
            return RunAsync(spec, result.GetValue(workspace), stageName, kaggle.Read(result), services, cancellationToken, result.GetValue(store));
        });
        return command;
    }

    /// <summary><c>steelci cancel kernels/x/steelci.yml</c>: one argument naming a pipeline file is the pipeline, not a stage.</summary>
    internal static (string? Stage, string Pipeline) StageAndPipeline(string? stage, string pipeline, bool pipelineImplicit) =>
        stage is not null && pipelineImplicit && (stage.EndsWith(".yml") || stage.EndsWith(".yaml") || File.Exists(stage))
            ? (null, stage)
            : (stage, pipeline);

    public static async Task<int> RunAsync(string specPath, string? workspaceRoot, string? stageName, KaggleRunOptions.Values backend,
        CliServices services, CancellationToken cancellationToken, string? store = null)
    {
        var (console, time) = (OperateContext.Wide(services.Console), services.Time);
        using var context = services.Operate(specPath, workspaceRoot, null, backend, strict: false, store: store);
        await using var held = await context.StateStore.LockAsync(cancellationToken);
        var state = await context.LoadStateAsync(cancellationToken);
        if (state is null)
            return LogsCommand.Fail(console, $"no run recorded in {context.Workspace.Root}; nothing to cancel");
        if (stageName is not null && !state.Stages.ContainsKey(stageName))
            return LogsCommand.Fail(console, $"stage '{stageName}' is not recorded; recorded: {string.Join(", ", state.Stages.Keys)}");

        var targets = state.Stages.Where(s => stageName is null || s.Key == stageName)
            .SelectMany(s => s.Value.Attempts.Where(a => a.IsActive).Select(a => (Name: s.Key, Stage: s.Value, Attempt: a)))
            .ToList();
        if (targets.Count == 0)
        {
            console.WriteLine(stageName is null
                ? "Nothing to cancel: no attempt is queued or running."
                : $"Nothing to cancel: stage '{stageName}' has no queued or running attempt (status {state.Stages[stageName].Status.ToString().ToLowerInvariant()}).");
            return ExitCodes.Success;
        }

        using var stopper = new AttemptStopper(services, context.Workspace, backend, console, context.Pipeline);
        var now = time.GetUtcNow();
        foreach (var (name, stage, attempt) in targets)
        {
            var reason = await stopper.StopAsync(attempt, now, cancellationToken);
            StateEdits.Cancel(stage, name, attempt, now, reason);
            console.WriteLine($"{name}: attempt {attempt.Number} ({attempt.Slug}) cancelled: {reason}");
        }
        state.UpdatedUtc = now;
        await context.StateStore.SaveAsync(state, cancellationToken);
        var names = targets.Select(t => t.Name).Distinct().ToList();
        console.WriteLine($"Recorded {targets.Count} attempt(s) as cancelled. Start again with: steelci retry {names[0]} {specPath}{(store is null ? "" : $" --store {store}")}" +
            (names.Count > 1 ? " (for each stage), or steelci run" : ""));
        return ExitCodes.Success;
    }
}
