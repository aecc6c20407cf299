using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// The trainer keeps its position inside an epoch: at its deadline it saves the step it reached and the next session
/// resumes there (src/SteelCI.Training/EpochLoop.cs, resume.json format 2). The simulator models that by running a
/// resumable stage in units of 1/<c>perEpoch</c> epoch (a stage that cannot resume stays whole epochs), so a cut-off
/// loses at most one unit, not the whole epoch in progress. Results are turned back into epochs.
/// </summary>
internal sealed class CheckpointUnits
{
    private readonly Dictionary<string, int> _units;

    public CheckpointUnits(IReadOnlyList<StageWork> stages, int perEpoch)
    {
        if (perEpoch < 1)
            throw new ArgumentOutOfRangeException(nameof(perEpoch), perEpoch, "checkpoints per epoch must be at least 1");
        _units = stages.ToDictionary(s => s.Name, s => s.Resumable ? perEpoch : 1, StringComparer.Ordinal);
    }

    public int Of(string stage) => _units.GetValueOrDefault(stage, 1);

    public IReadOnlyList<StageWork> ToUnits(IReadOnlyList<StageWork> stages) =>
        stages.Select(s => s with { Epochs = s.Epochs * Of(s.Name), PerEpoch = s.PerEpoch / Of(s.Name) }).ToList();

    public IReadOnlyDictionary<string, int> ToUnits(IReadOnlyDictionary<string, int> epochs) =>
        epochs.ToDictionary(e => e.Key, e => e.Value * Of(e.Key), StringComparer.Ordinal);

    public IReadOnlyDictionary<string, int> ToEpochs(IReadOnlyDictionary<string, int> units) =>
        units.ToDictionary(e => e.Key, e => e.Value / Of(e.Key), StringComparer.Ordinal);

    public LedgerSession ToUnits(LedgerSession session) => new()
    {
        Id = session.Id, Account = session.Account, Stage = session.Stage, FromEpoch = session.FromEpoch * Of(session.Stage),
        Epochs = session.Epochs * Of(session.Stage), StartUtc = session.StartUtc, DeadlineUtc = session.DeadlineUtc,
        EndedUtc = session.EndedUtc, EpochsDone = session.EpochsDone * Of(session.Stage),
    };

    /// <summary>A session in epochs: the epochs it started in and reached (a partly trained epoch counts from the next one on).</summary>
    public SimulatedSession ToEpochs(SimulatedSession session)
    {
        var k = Of(session.Stage);
        var from = session.FromEpoch / k;
        return session with
        {
            FromEpoch = from,
            EpochsPlanned = Ceiling(session.FromEpoch + session.EpochsPlanned, k) - from,
            EpochsDone = (session.FromEpoch + session.EpochsDone) / k - from,
            FromExact = (double)session.FromEpoch / k,
            ToExact = (double)(session.FromEpoch + session.EpochsDone) / k,
        };
    }

    private static int Ceiling(int value, int k) => (value + k - 1) / k;
}
