using Spectre.Console;

namespace SteelCI.Cli;

/// <summary>The kernels of earlier Kaggle attempts of finished stages, for <c>steelci prune</c>.</summary>
public static class OldKernels
{
    /// <summary>
    /// Old kernels of finished Kaggle attempts, on the kaggle backend. Kaggle's API cannot delete datasets, so the
    /// content-addressed input datasets stay (they are reused by later runs anyway).
    /// </summary>
    public static async Task<int> PruneAsync(Spec.Pipeline pipeline, KaggleRunOptions.Values? options, Workspace workspace,
        State.RunState? state, bool dryRun, IAnsiConsole console, CliServices services, CancellationToken cancellationToken)
    {
        var backend = options?.Backend ?? pipeline.Backend;
        var old = PrunePlan.OldKernels(state);
        if (backend != "kaggle" || old.Count == 0)
            return 0;
        using var kaggle = services.Kaggle(options ?? new KaggleRunOptions.Values("kaggle", [], null, null), workspace.Root, console, pipeline.Compute.Kaggle);
        var pruned = 0;
        foreach (var kernel in old)
        {
            var client = kaggle.Clients.FirstOrDefault(c => c.Account.Name == kernel.Account);
            if (client is null)
            {
                console.WriteLine($"kept kernel {kernel.Owner}/{kernel.Kernel}  (account {kernel.Account} is not configured here)");
                continue;
            }
            if (!dryRun)
            {
                try
                {
                    await client.DeleteKernelAsync(kernel.Owner, kernel.Kernel, cancellationToken);
                }
                catch (Kaggle.Api.KaggleNotFoundException)
                {
                    // already gone
                }
            }
            console.WriteLine($"{(dryRun ? "would delete" : "deleted")} kernel {kernel.Owner}/{kernel.Kernel}  (an earlier attempt of {kernel.Stage})");
            pruned++;
        }
        return pruned;
    }
}
