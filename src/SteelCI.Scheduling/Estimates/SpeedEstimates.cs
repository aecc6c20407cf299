using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Estimates;

/// <summary>
/// What the sessions have shown about each stage's epoch time, overall and per account. The configured estimate
/// (<see cref="StageWork.PerEpoch"/>) is the prior: it is used until a stage has a measured epoch. Then the stage's
/// mean measured epoch time is used, and on an account where the stage itself has run at least
/// <see cref="MinPairEpochs"/> epochs, that account's own mean (GPUs and hosts differ between accounts).
/// </summary>
public sealed class SpeedEstimates
{
    public const int MinPairEpochs = 2;

    private readonly Dictionary<string, Sample> _stages = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Stage, string Account), Sample> _pairs = new();
    private readonly Dictionary<string, TimeSpan> _atLeast = new(StringComparer.Ordinal);

    public static SpeedEstimates None { get; } = new();

    /// <summary>Records <paramref name="epochs"/> epochs of <paramref name="stage"/> that took <paramref name="time"/> on <paramref name="account"/>.</summary>
    public void Observe(string stage, string account, int epochs, TimeSpan time)
    {
        if (epochs <= 0 || time <= TimeSpan.Zero)
            return;
        _stages[stage] = _stages.GetValueOrDefault(stage).Add(epochs, time);
        _pairs[(stage, account)] = _pairs.GetValueOrDefault((stage, account)).Add(epochs, time);
    }

    /// <summary>
    /// Records that an epoch of <paramref name="stage"/> was still running after <paramref name="time"/> when its
    /// session was cut (nothing measured to its end): the stage's epochs are planned no shorter than that.
    /// </summary>
    public void ObserveAtLeast(string stage, TimeSpan time)
    {
        if (time > _atLeast.GetValueOrDefault(stage))
            _atLeast[stage] = time;
    }

    /// <summary>The stage's mean measured epoch time over every account, or null before its first measured epoch.</summary>
    public TimeSpan? Measured(string stage) => _stages.GetValueOrDefault(stage).Mean;

    /// <summary>The stage's mean measured epoch time on one account, or null.</summary>
    public TimeSpan? Measured(string stage, string account) => _pairs.GetValueOrDefault((stage, account)).Mean;

    public int MeasuredEpochs(string stage) => _stages.GetValueOrDefault(stage).Epochs;

    /// <summary>The epoch time to plan with: on the account if it has enough of its own, else the stage's, else the prior.</summary>
    public TimeSpan PerEpoch(StageWork work, string? account = null)
    {
        var estimate = account is not null && _pairs.GetValueOrDefault((work.Name, account)) is { Epochs: >= MinPairEpochs } pair
            ? pair.Mean!.Value
            : Measured(work.Name) ?? work.PerEpoch;
        var floor = _atLeast.GetValueOrDefault(work.Name);
        return estimate > floor ? estimate : floor;
    }

    /// <summary>The stage with its epoch time replaced by the current estimate (for priorities and the plan).</summary>
    public StageWork Apply(StageWork work) => work with { PerEpoch = PerEpoch(work) };

    private readonly record struct Sample(int Epochs, TimeSpan Time)
    {
        public Sample Add(int epochs, TimeSpan time) => new(Epochs + epochs, Time + time);
        public TimeSpan? Mean => Epochs == 0 ? null : Time / Epochs;
    }
}
