using SteelCI.State;

namespace SteelCI.Running;

public sealed record StageSummary(
    string Name,
    StageStatus Status,
    TimeSpan Wall,
    string? MetricName,
    double? MetricValue,
    string? Release,
    string? Location,
    string? Error)
{
    /// <summary>The values of every metric the stage's <c>metric</c> lists (one or more), in that order, as far as the release has them.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> KeyMetrics { get; init; } = [];
    /// <summary>What kind of failure a failed or blocked stage met; null otherwise.</summary>
    public FailureClass? Failure { get; init; }
}

public sealed record RunSummary(string Pipeline, string RunId, IReadOnlyList<StageSummary> Stages)
{
    /// <summary>Attempts the watchdog stopped in this pipeline's recorded history, and the session time they threw away.</summary>
    public int WatchdogStops { get; init; }
    public TimeSpan LostWork { get; init; }

    /// <summary>Whether any stage is still running (a tick's caller runs another tick later).</summary>
    public bool Active => Stages.Any(s => s.Status == StageStatus.Running);

    public bool Succeeded => Stages.All(s => s.Status is StageStatus.Complete or StageStatus.Reused);
}
