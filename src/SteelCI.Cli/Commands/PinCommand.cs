using System.CommandLine;
using Spectre.Console;
using SteelCI.Running;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci pin [pipeline] [--hash H]</c> and <c>steelci unpin [pipeline]</c>: record in the pipeline's state the
/// trainer bundle hash its keys are computed from (default: the hash the last run or tick used), so commits to code
/// that goes into the bundle do not re-key a running pipeline; ticks then start attempts from that bundle only, and
/// fail with a message naming the hash where it cannot be obtained. Unpinning is this one explicit command.
/// </summary>
public static class PinCommand
{
    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var hash = new Option<string?>("--hash") { Description = "The bundle hash to pin (64 hex digits); default: the one the last run or tick used" };
        var store = StoreOption();
        var command = new Command("pin", "Pin the pipeline's trainer bundle by hash: code changes stop re-keying its stages until `steelci unpin`")
        {
            pipeline, workspace, hash, store,
        };
        command.SetAction((result, cancellationToken) => EditAsync(result.GetValue(pipeline)!, result.GetValue(workspace), pin: true,
            result.GetValue(hash), services, cancellationToken, result.GetValue(store)));
        return command;
    }

    public static Command CreateUnpin(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var store = StoreOption();
        var command = new Command("unpin", "Unpin the trainer bundle: the next tick builds the trainer and retrains what its hash re-keys (`steelci plan` lists it)")
        {
            pipeline, workspace, store,
        };
        command.SetAction((result, cancellationToken) => EditAsync(result.GetValue(pipeline)!, result.GetValue(workspace), pin: false, null,
            services, cancellationToken, result.GetValue(store)));
        return command;
    }

    private static Option<string?> StoreOption() =>
        new("--store") { Description = "local or github: where the state is kept (default: the pipeline file's store)" };

    private static async Task<int> EditAsync(string specPath, string? workspaceRoot, bool pin, string? hash, CliServices services,
        CancellationToken cancellationToken, string? store = null)
    {
        var console = OperateContext.Wide(services.Console);
        using var context = services.Operate(specPath, workspaceRoot, null, store: store);
        await using var held = await context.StateStore.LockAsync(cancellationToken);
        var state = await context.LoadStateAsync(cancellationToken);
        if (state is null)
            return LogsCommand.Fail(console, $"no run recorded in {context.Workspace.Root}; nothing to {(pin ? "pin" : "unpin")} (start one with steelci run {specPath} or steelci tick {specPath})");
        if (!pin)
        {
            if (state.TrainerPin is null)
            {
                console.WriteLine($"{state.Pipeline}: the trainer bundle is not pinned; nothing changed.");
                return ExitCodes.Success;
            }
            var was = state.TrainerPin;
            state.TrainerPin = null;
            await context.StateStore.SaveAsync(state, cancellationToken);
            console.WriteLine($"{state.Pipeline}: unpinned (was {was}). The next tick builds the trainer; `steelci plan {specPath}` lists the stages its hash would retrain.");
            return ExitCodes.Success;
        }
        var chosen = hash ?? state.TrainerHash;
        if (chosen is null)
            return LogsCommand.Fail(console, $"{state.Pipeline}: no trainer bundle hash recorded yet (a run or tick records it); give one with --hash");
        if (chosen.Length != 64 || !chosen.All(char.IsAsciiHexDigitLower))
            return LogsCommand.Fail(console, $"--hash {chosen}: a trainer bundle hash is 64 lowercase hex digits (steelci-bundle.json's hash)");
        state.TrainerPin = chosen;
        await context.StateStore.SaveAsync(state, cancellationToken);
        console.WriteLine($"{state.Pipeline}: trainer bundle pinned at {chosen}. Ticks key stages with it and start attempts from it only; `steelci unpin {specPath}` undoes this.");
        console.WriteLine(await StoreAsync(context, chosen, services, cancellationToken));
        return ExitCodes.Success;
    }

    /// <summary>
    /// Stores the pinned bundle beside the state (once) when it is kept here, so runners that keep nothing (every GitHub
    /// Actions job) get it back; otherwise the first run or tick that has it (kept, or built with that hash) stores it.
    /// </summary>
    private static async Task<string> StoreAsync(OperateContext context, string hash, CliServices services, CancellationToken cancellationToken)
    {
        if (context.Pipeline is not { } pipeline)
            return "The pinned bundle was not stored: the pipeline file could not be read.";
        var kept = await services.Packager(pipeline, context.Workspace).FindTrainerAsync(hash, cancellationToken);
        if (kept is null)
            return $"The bundle {hash[..12]} is not kept in this workspace (trainer/bundles/{hash[..12]}), so it is not stored yet: the first run or tick " +
                $"that starts work and has it (kept there, or built with this hash) stores it as release {StoredTrainerBundles.Tag(hash)}.";
        return await new StoredTrainerBundles(context.ArtifactStore, services.Time, RunnerComposition.Version())
            .EnsureStoredAsync(pipeline.Name, kept, replace: false, cancellationToken);
    }
}
