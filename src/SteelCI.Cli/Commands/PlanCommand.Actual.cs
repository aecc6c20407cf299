using System.CommandLine;
using SteelCI.Local;
using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Charts;
using SteelCI.Scheduling.Estimates;
using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Reporting;
using SteelCI.Scheduling.Simulation;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary><c>steelci plan --actual</c>: the attempts the state records, on the same chart as a forecast; and where a forecast starts.</summary>
public static partial class PlanCommand
{
    /// <summary>The attempts the state records, drawn with the same chart as a forecast.</summary>
    private static async Task<int> ChartActualAsync(CliServices services, Spec.Pipeline pipeline, Workspace root, string? chart,
        CancellationToken cancellationToken)
    {
        using var wiring = services.Store(pipeline.Store, root, _ => { });
        var state = await wiring.StateFor(pipeline.Name).LoadAsync(cancellationToken);
        var now = services.Time.GetUtcNow();
        if (ActualChart.From(state, now) is not { } happened)
        {
            services.Out.WriteLine($"No attempts recorded for {pipeline.Name} in {root.Root}; nothing to chart.");
            return ExitCodes.Success;
        }
        var (sessions, accounts) = (happened.Sessions, happened.Accounts);
        var png = Path.GetFullPath(chart ?? Path.Combine(root.Root, "actual.png"));
        Directory.CreateDirectory(Path.GetDirectoryName(png)!);
        GanttChart.Save(happened, $"{pipeline.Name}: what ran ({sessions.Count} attempts)", png);
        services.Out.WriteLine($"{sessions.Count} attempt(s) on {accounts} account(s)/backend(s); chart: {png}");
        return ExitCodes.Success;
    }

    /// <summary>Finished stages count as done, except those whose key changed (<paramref name="retrain"/>).</summary>
    private static IReadOnlyDictionary<string, int> EpochsDone(RunState? state, Spec.Pipeline pipeline, IReadOnlySet<string> retrain)
    {
        var done = new Dictionary<string, int>();
        foreach (var node in pipeline.Nodes)
            if (!retrain.Contains(node.Name) && state?.Stages.GetValueOrDefault(node.Name) is { Status: StageStatus.Complete or StageStatus.Reused })
                done[node.Name] = node.Epochs;
        return done;
    }

    /// <summary>The state recorded where the pipeline keeps it (its store's state, as `status` reads it).</summary>
    private static async Task<RunState?> LoadStateAsync(CliServices services, Spec.Pipeline pipeline, Workspace root, CancellationToken cancellationToken)
    {
        using var wiring = services.Store(pipeline.Store, root, _ => { });
        return await wiring.StateFor(pipeline.Name).LoadAsync(cancellationToken);
    }
}
