using SteelCI.State;

namespace SteelCI.Running;

/// <summary>What a run tells the person watching it. The CLI draws it with Spectre.Console or as plain lines.</summary>
public interface IRunReporter
{
    void Info(string message);
    void StageReused(string stage, string tag);
    void AttemptStarted(string stage, AttemptRecord attempt);
    void AttemptFinished(string stage, AttemptRecord attempt, string outcome);
    void StageFinished(string stage, StageState state);
}
