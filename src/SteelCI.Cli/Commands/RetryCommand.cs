using System.CommandLine;
using Spectre.Console;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci retry &lt;stage&gt; [pipeline]</c>: puts a failed, cancelled or blocked stage and the stages blocked
/// behind it back to pending, under the state lock, so the next <c>steelci tick</c> (which never retries failures by
/// itself) or <c>steelci run</c> starts it. Fix the cause first: a deterministic failure fails again.
/// </summary>
public static class RetryCommand
{
    public static Command Create(CliServices services)
    {
        var stage = new Argument<string>("stage") { Description = "The failed or blocked stage to start again" };
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var store = new Option<string?>("--store") { Description = "local or github: where the state is kept (default: the pipeline file's store)" };
        var command = new Command("retry", "Reset a failed or blocked stage (and its blocked dependents) so the next run or tick starts it")
        {
            stage, pipeline, workspace, store,
        };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(pipeline)!, result.GetValue(workspace),
            result.GetValue(stage)!, services, cancellationToken, result.GetValue(store)));
        return command;
    }

    public static async Task<int> RunAsync(string specPath, string? workspaceRoot, string stageName, CliServices services,
        CancellationToken cancellationToken, string? store = null)
    {
        var console = OperateContext.Wide(services.Console);
        using var context = services.Operate(specPath, workspaceRoot, null, store: store);
        await using var held = await context.StateStore.LockAsync(cancellationToken);
        var state = await context.LoadStateAsync(cancellationToken);
        if (state is null)
            return LogsCommand.Fail(console, $"no run recorded in {context.Workspace.Root}; nothing to retry (start one with steelci run {specPath})");
        var previous = state.Stages.GetValueOrDefault(stageName)?.Error;
        IReadOnlyList<string> reset;
        try
        {
            reset = StateEdits.Retry(state, stageName, context.InputsOf);
        }
        catch (InvalidOperationException error)
        {
            return LogsCommand.Fail(console, error.Message);
        }
        await context.StateStore.SaveAsync(state, cancellationToken);
        if (previous is not null)
            console.WriteLine($"{stageName} was: {previous}");
        console.WriteLine($"Reset to pending: {string.Join(", ", reset)}. The next `steelci tick` or `steelci run` starts {stageName}.");
        if (context.Pipeline is { } pipeline && context.PipelineProblem is null)
            await WorkflowSchedule.WakeAsync(console, pipeline, context.Workspace);
        return ExitCodes.Success;
    }
}
