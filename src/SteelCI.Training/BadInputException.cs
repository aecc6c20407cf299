namespace SteelCI.Training;

/// <summary>The stage's data or configuration is wrong; the trainer exits with <c>ExitBadInput</c> and a retry cannot help.</summary>
public sealed class BadInputException(string message) : Exception(message);
