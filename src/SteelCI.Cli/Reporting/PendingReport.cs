using SteelCI.Ports;
using SteelCI.Running;
using SteelCI.Scheduling.Ticking;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// Why stages are still pending when `run` or `tick` ends (issue 14 item 3): for a ready stage the scheduler left
/// unplaced, its reason (no account has GPU quota above its owner's reserve, every session in use, …); for the others,
/// the inputs they wait for.
/// </summary>
public static class PendingReport
{
    /// <summary>One line per pending stage; <paramref name="explained"/>: how many the scheduler gave a reason for.</summary>
    public static IReadOnlyList<string> Lines(RunSummary summary, Spec.Pipeline pipeline, IPlacementPolicy? placement, out int explained)
    {
        var waiting = (placement as ScheduledPlacementPolicy)?.Waiting ?? new Dictionary<string, string>();
        var status = summary.Stages.ToDictionary(s => s.Name, s => s.Status, StringComparer.Ordinal);
        var lines = new List<string>();
        explained = 0;
        foreach (var stage in summary.Stages.Where(s => s.Status == StageStatus.Pending))
        {
            if (waiting.TryGetValue(stage.Name, out var why))
            {
                explained++;
                lines.Add($"pending: {stage.Name}: {why}");
                continue;
            }
            var inputs = pipeline.Nodes.FirstOrDefault(n => n.Name == stage.Name)?.Inputs
                .Where(i => status.GetValueOrDefault(i) is not (StageStatus.Complete or StageStatus.Reused)).ToList() ?? [];
            lines.Add(inputs.Count > 0 ? $"pending: {stage.Name}: waits for {string.Join(", ", inputs)}" : $"pending: {stage.Name}: not started yet");
        }
        return lines;
    }
}
