namespace SteelCI.Cli;

/// <summary>
/// steelci's exit codes. They separate "the code or data failed" from "the setup is wrong" and "try again later",
/// so CI can colour a failure rightly.
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>A stage failed (trainer crashed, bad data, refused output); the summary names it.</summary>
    public const int StageFailed = 1;
    /// <summary>The pipeline file or the command line is wrong; nothing ran.</summary>
    public const int InvalidInput = 2;
    /// <summary>
    /// Infrastructure, not the code: no Kaggle capacity (session cap), GPU quota out, a Kaggle or GitHub API that is
    /// down or rate-limited, or every failed stage failed only by losing its attempts. Try again later; nothing is
    /// wrong with the trainer. (A tick skipped because another holds the lock is <see cref="Busy"/>.)
    /// </summary>
    public const int Infrastructure = 3;
    /// <summary>Another run of the same pipeline holds the lock (a tick skipped); nothing ran.</summary>
    public const int Busy = 4;
}
