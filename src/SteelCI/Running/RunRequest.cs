namespace SteelCI.Running;

/// <summary>
/// How to run: <see cref="Force"/> retrains even where a release with the same content key exists;
/// <see cref="LostRetries"/> is how many times an attempt that vanished (killed, no exit status) is started again.
/// </summary>
public sealed record RunRequest(bool Force = false, int LostRetries = 2);

/// <summary>Settings of the runner that do not change between runs.</summary>
public sealed record RunnerOptions(TimeSpan PollInterval, string SteelciVersion, string? SourceCommit);
