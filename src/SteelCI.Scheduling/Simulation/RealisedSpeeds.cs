using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// The epoch times the simulated sessions actually have, drawn once per seed and shared by every strategy (common
/// random numbers: each scheduler meets the same work, so their makespans compare like for like). Each stage runs at
/// a speed factor drawn from [1 − jitter, 1 + jitter] of its estimate for the whole run (the estimate is wrong, as a
/// first estimate is), and each epoch varies around that by a further [1 − jitter/3, 1 + jitter/3] (data loading,
/// host noise). Accounts are modelled alike (Kaggle hands every account the same T4/P100 choice); a per-account factor
/// is not drawn. With jitter 0 every epoch takes its estimate.
/// </summary>
public sealed class RealisedSpeeds
{
    private readonly Dictionary<string, TimeSpan[]> _epochs = new(StringComparer.Ordinal);

    public RealisedSpeeds(IReadOnlyList<StageWork> stages, double jitter, int seed)
    {
        if (jitter is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(jitter), jitter, "the speed jitter must be in [0, 1)");
        var random = new Random(seed);
        foreach (var stage in stages)
        {
            var factor = 1 + jitter * (2 * random.NextDouble() - 1);
            Factors[stage.Name] = factor;
            _epochs[stage.Name] = Enumerable.Range(0, stage.Epochs)
                .Select(_ => stage.PerEpoch * (factor * (1 + jitter / 3 * (2 * random.NextDouble() - 1))))
                .ToArray();
        }
    }

    /// <summary>Each stage's drawn speed factor (1.1 = 10 % slower than its estimate).</summary>
    public Dictionary<string, double> Factors { get; } = new(StringComparer.Ordinal);

    /// <summary>How long epoch <paramref name="epoch"/> (0-based) of a stage takes; the estimate for stages it does not know.</summary>
    public TimeSpan EpochTime(string stage, int epoch, TimeSpan estimate) =>
        _epochs.TryGetValue(stage, out var times) && epoch >= 0 && epoch < times.Length ? times[epoch] : estimate;

    /// <summary>The stages with their realised mean epoch time: what a scheduler knowing the draws would plan with.</summary>
    public IReadOnlyList<StageWork> Realised(IReadOnlyList<StageWork> stages) =>
        stages.Select(s => _epochs.TryGetValue(s.Name, out var times) && times.Length > 0
            ? s with { PerEpoch = TimeSpan.FromTicks(times.Sum(t => t.Ticks) / times.Length) }
            : s).ToList();
}
