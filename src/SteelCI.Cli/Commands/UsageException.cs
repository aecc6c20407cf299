namespace SteelCI.Cli;

/// <summary>
/// An argument, option, setting or path that cannot work (exit 2, nothing ran). The message names the option, the
/// variable or the path and says what would work.
/// </summary>
public sealed class UsageException(string message) : Exception(message);
