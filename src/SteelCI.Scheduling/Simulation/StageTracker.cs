using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// The simulated pipeline's checkpoints: epochs each stage has published and which stages have a session running.
/// Crediting checks that a session started from the stage's last checkpoint, so work is neither lost nor counted twice.
/// </summary>
internal sealed class StageTracker(IReadOnlyList<StageWork> stages, IReadOnlyDictionary<string, int> done)
{
    private readonly Dictionary<string, int> _done = stages.ToDictionary(s => s.Name, s => done.GetValueOrDefault(s.Name), StringComparer.Ordinal);
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);

    public IReadOnlyList<StageWork> Stages { get; } = stages;
    public IReadOnlyDictionary<string, int> Done => _done;
    public bool AllDone => Stages.All(s => _done[s.Name] >= s.Epochs);

    public IReadOnlyList<StageProgress> Views() =>
        Stages.Select(s => new StageProgress(s, _done[s.Name], _running.Contains(s.Name))).ToList();

    public StageWork Work(string stage) => Stages.First(s => s.Name == stage);

    public void Started(string stage)
    {
        if (!_running.Add(stage))
            throw new InvalidOperationException($"a second session of '{stage}' was started while one runs");
    }

    public void Credit(SimulatedSession session)
    {
        _running.Remove(session.Stage);
        if (session.FromEpoch != _done[session.Stage])
            throw new InvalidOperationException($"session {session.Id} of '{session.Stage}' started from epoch {session.FromEpoch}, " +
                $"but the last checkpoint has {_done[session.Stage]}");
        _done[session.Stage] += session.EpochsDone;
        if (_done[session.Stage] > Work(session.Stage).Epochs)
            throw new InvalidOperationException($"'{session.Stage}' was credited {_done[session.Stage]} epochs of {Work(session.Stage).Epochs}");
    }
}
