namespace SteelCI.Ports;

/// <summary>
/// An <see cref="IStateStore"/> refused this runner: another runner of the same pipeline holds the state's lock (or
/// lease), or saved a newer state since this one loaded (it lost the race). Nothing was written; try again later.
/// The CLI maps it to exit code 4, as it does the local store's lock failure.
/// </summary>
public class StateLockedException(string message, Exception? inner = null) : Exception(message, inner);
