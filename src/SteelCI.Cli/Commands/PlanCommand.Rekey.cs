using SteelCI.Running;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary><c>steelci plan</c>: which finished stages would retrain, and why, before a tick spends anything.</summary>
public static partial class PlanCommand
{
    /// <summary>
    /// Prints one line per recorded finished (or running) stage whose key would change, with the part that changed.
    /// Unpinned, that needs today's bundle hash: the trainer is built as a tick would build it (only when the state
    /// records finished work). Returns the stages that would retrain, so the forecast does not count them done.
    /// </summary>
    private static async Task<IReadOnlySet<string>> RekeyAsync(CliServices services, Spec.Pipeline pipeline, Workspace root,
        RunState? state, CancellationToken cancellationToken)
    {
        if (state is null || state.Pipeline != pipeline.Name
            || !state.Stages.Values.Any(s => s.Status is StageStatus.Complete or StageStatus.Reused or StageStatus.Running))
            return new HashSet<string>();
        string hash;
        if (state.TrainerPin is { } pin)
        {
            hash = pin;
            services.Out.WriteLine($"Trainer: pinned at {pin} (`steelci unpin` builds it again)");
        }
        else if (state.TrainerBuilt is { } built
                 && await services.Packager(pipeline, root).TrainerSourceKeyAsync(pipeline, cancellationToken) == built.SourceKey)
        {
            hash = built.Hash; // sources unchanged since that bundle was built: no need to build it again to know its hash
            services.Out.WriteLine($"Trainer: unpinned, sources unchanged since bundle {hash[..12]} was built");
        }
        else
        {
            root.Claim();
            hash = (await services.Packager(pipeline, root).PrepareTrainerAsync(pipeline, cancellationToken)).Hash;
            services.Out.WriteLine($"Trainer: unpinned, builds to {hash[..12]} now (`steelci pin` keeps the recorded one)");
        }
        var rekeyed = Rekeying.Explain(pipeline, state, hash);
        foreach (var rekey in rekeyed)
            services.Out.WriteLine(rekey.Line());
        services.Out.WriteLine(rekeyed.Count == 0 ? "No finished stage would retrain." : $"{rekeyed.Count} finished stage(s) would retrain.");
        return rekeyed.Select(r => r.Stage).ToHashSet();
    }
}
