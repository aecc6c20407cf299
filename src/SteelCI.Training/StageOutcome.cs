using SteelCI.Contracts;

namespace SteelCI.Training;

/// <summary>What an entry point reports: complete or partial, how far, and what it measured and chose.</summary>
public sealed record StageOutcome(
    OutputStatus Status,
    Progress Progress,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, double> Thresholds)
{
    public static StageOutcome Complete(int epochs, IReadOnlyDictionary<string, double> metrics,
        IReadOnlyDictionary<string, double>? thresholds = null) =>
        new(OutputStatus.Complete, new Progress(epochs, epochs), metrics, thresholds ?? new Dictionary<string, double>());
}
