using SteelCI.Kaggle.Api;
using SteelCI.Running;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// Tells "the code failed" (exit 1) from "the infrastructure did" (exit 3: no capacity, quota out, an API down or
/// rate-limited), so CI can colour a failure rightly.
/// </summary>
public static class Infrastructure
{
    /// <summary>An exception that says nothing about the trainer: Kaggle full or out of quota, a transient API failure.</summary>
    public static bool Is(Exception error) => error switch
    {
        KaggleSessionLimitException => true, // session cap, or every account short of GPU quota
        KaggleTransientException => true,    // 429, 5xx, timeouts
        HttpRequestException or HttpIOException => true,
        Octokit.RateLimitExceededException or Octokit.SecondaryRateLimitExceededException => true,
        Octokit.ApiException api => (int)api.StatusCode >= 500,
        TimeoutException => true,
        _ => false,
    };

    /// <summary>An error a later try may not meet: a refused or cut connection, a timeout, a 5xx or 429 answer.</summary>
    /// (GitHubCalls gives up with such an error inside its own after its retries; that one is internal to SteelCI.GitHub.)
    public static bool IsTransient(Exception error) => Is(error)
        || error is IOException or System.Net.Sockets.SocketException
        || error.GetType().Name == "RetryableHttpException"
        || error.InnerException is { } inner && IsTransient(inner);

    public static string Describe(Exception error) =>
        $"infrastructure, not your code: {error.Message} (try again later; steelci status shows quota per account)";

    /// <summary>
    /// The exit code of a finished run or tick: 0 done or progressing, 1 a stage's code failed, 3 when every failed
    /// stage failed only by losing attempts (killed sessions, vanished kernels) and nothing else broke.
    /// </summary>
    public static int ExitCode(RunSummary summary, RunState? state, bool requireSuccess)
    {
        var failed = summary.Stages.Where(s => s.Status == StageStatus.Failed).ToList();
        var blocked = summary.Stages.Any(s => s.Status == StageStatus.Blocked);
        if (failed.Count == 0 && !blocked)
            return !requireSuccess || summary.Succeeded ? ExitCodes.Success : ExitCodes.StageFailed;
        if (failed.Count > 0 && failed.All(s => LostOnly(s, state)))
            return ExitCodes.Infrastructure;
        return ExitCodes.StageFailed;
    }

    private static bool LostOnly(StageSummary stage, RunState? state)
    {
        if (stage.Failure?.IsInfrastructure() == true)
            return true;
        var recorded = state?.Stages.GetValueOrDefault(stage.Name);
        return recorded?.Attempts.LastOrDefault() is { Failure: { } last } && last.IsInfrastructure();
    }
}
