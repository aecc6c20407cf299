using SteelCI.Ports;

namespace SteelCI.State;

/// <summary>
/// What kind of failure a stage or attempt met, known where it happens and carried to where it is decided (the
/// runner's retry of lost attempts, the exit code: <see cref="Lost"/> is the infrastructure's fault, the rest are not).
/// Written to state.json by name (<c>"failure": "lost"</c>).
/// </summary>
public enum FailureClass
{
    /// <summary>The trainer failed: an error exit, no end marker, or it reported <c>failed</c>.</summary>
    Code,
    /// <summary>The attempt's output was refused: its manifest or files do not verify, or it is another stage's.</summary>
    Output,
    /// <summary>A session ended without finishing an epoch: the session is too short for the work asked of it.</summary>
    NoProgress,
    /// <summary>Attempts lost by the platform (a killed session, a vanished kernel) beyond the retries allowed.</summary>
    Lost,
    /// <summary>An attempt the watchdog stopped, still running past its deadline plus the margin (a kind of lost).</summary>
    Watchdog,
    /// <summary>A person stopped it (<c>steelci cancel</c>).</summary>
    Cancelled,
    /// <summary>(blocked) One of the stage's inputs failed or is blocked.</summary>
    Input,
}

public static class FailureClasses
{
    /// <summary>Whether the failure is the platform's, not the code's or the pipeline's (exit code 3, not 1).</summary>
    public static bool IsInfrastructure(this FailureClass failure) => failure is FailureClass.Lost or FailureClass.Watchdog;

    /// <summary>
    /// The class of a failed or blocked stage recorded before classes were written (state.json of steelci before
    /// 2026-12-01), from the messages those versions wrote. Only reading old files uses it; nothing new matches text.
    /// </summary>
    public static FailureClass? FromLegacyText(StageStatus status, string? error) => status switch
    {
        StageStatus.Blocked => FailureClass.Input,
        StageStatus.Failed when error is null => null,
        StageStatus.Failed when error.Contains("attempts were lost", StringComparison.Ordinal) => FailureClass.Lost,
        StageStatus.Failed when error.StartsWith("cancelled", StringComparison.Ordinal) => FailureClass.Cancelled,
        StageStatus.Failed when error.StartsWith("output refused", StringComparison.Ordinal) => FailureClass.Output,
        StageStatus.Failed when error.StartsWith("a session ended without finishing an epoch", StringComparison.Ordinal) => FailureClass.NoProgress,
        StageStatus.Failed => FailureClass.Code,
        _ => null,
    };

    /// <summary>The class of an ended attempt recorded before classes were written, from its state and message.</summary>
    public static FailureClass? FromLegacyText(AttemptState state, string? error) => state switch
    {
        AttemptState.Lost when error?.StartsWith("watchdog:", StringComparison.Ordinal) == true => FailureClass.Watchdog,
        AttemptState.Lost => FailureClass.Lost,
        AttemptState.Cancelled => FailureClass.Cancelled,
        AttemptState.Error when error?.StartsWith("output refused", StringComparison.Ordinal) == true => FailureClass.Output,
        AttemptState.Error => FailureClass.Code,
        _ => null,
    };
}
