using SteelCI.Ports;

namespace SteelCI.State;

/// <summary>
/// Changes a person makes to the recorded state between runner steps (<c>steelci retry</c>, <c>steelci cancel</c>).
/// The caller holds the state's lock, loads, edits with these, and saves; the next run or tick carries on from there.
/// </summary>
public static class StateEdits
{
    /// <summary>
    /// Puts a failed or blocked stage back to pending, with every blocked stage downstream of it
    /// (<paramref name="inputsOf"/> gives a stage's inputs), so the next run or tick starts it again. Returns the stages
    /// reset, the named one first. Throws <see cref="InvalidOperationException"/> with a message for people when the
    /// stage is not recorded or is not failed or blocked.
    /// </summary>
    public static IReadOnlyList<string> Retry(RunState state, string stage, Func<string, IEnumerable<string>> inputsOf)
    {
        if (!state.Stages.TryGetValue(stage, out var target))
            throw new InvalidOperationException($"stage '{stage}' is not recorded for {state.Pipeline}; recorded: {string.Join(", ", state.Stages.Keys)}");
        if (target.Status is not (StageStatus.Failed or StageStatus.Blocked))
            throw new InvalidOperationException(
                $"stage '{stage}' is {target.Status.ToString().ToLowerInvariant()}, not failed or blocked; nothing to retry" +
                (target.Status == StageStatus.Running ? " (cancel it first: steelci cancel " + stage + ")" : ""));
        var reset = new List<string> { stage };
        target.Retry(stage);
        bool changed;
        do
        {
            changed = false;
            foreach (var (name, other) in state.Stages)
            {
                if (other.Status != StageStatus.Blocked || !inputsOf(name).Any(reset.Contains))
                    continue;
                other.Retry(name);
                reset.Add(name);
                changed = true;
            }
        } while (changed);
        return reset;
    }

    /// <summary>
    /// Records that a person stopped an attempt: the attempt is <see cref="AttemptState.Cancelled"/> with the reason,
    /// and its stage is failed with a message that says how to start it again (a tick never restarts a failed stage;
    /// <c>steelci retry</c> or <c>steelci run</c> does). A cancelled attempt does not count as lost.
    /// </summary>
    public static void Cancel(StageState stage, string stageName, AttemptRecord attempt, DateTimeOffset now, string reason)
    {
        attempt.State = AttemptState.Cancelled;
        attempt.EndedUtc = now;
        attempt.Error = $"cancelled: {reason}";
        attempt.Failure = FailureClass.Cancelled;
        if (stage.Status == StageStatus.Failed)
            return; // another of its attempts was cancelled first (or it had failed already)
        stage.Fail(stageName, FailureClass.Cancelled,
            $"cancelled at {now:u} ({reason}); `steelci retry {stageName}` or `steelci run` starts it again");
    }
}
