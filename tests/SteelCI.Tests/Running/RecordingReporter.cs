using SteelCI.Running;
using SteelCI.State;

namespace SteelCI.Tests.Running;

/// <summary>Collects what the runner reports, for assertions.</summary>
public sealed class RecordingReporter : IRunReporter
{
    public List<string> Lines { get; } = new();
    public void Info(string message) => Lines.Add(message);
    public void StageReused(string stage, string tag) => Lines.Add($"{stage} reused");
    public void AttemptStarted(string stage, AttemptRecord attempt) => Lines.Add($"{stage} started {attempt.Number}");
    public void AttemptFinished(string stage, AttemptRecord attempt, string outcome) => Lines.Add($"{stage} {outcome}");
    public void StageFinished(string stage, StageState state) => Lines.Add($"{stage} published");
}
