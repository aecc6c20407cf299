namespace SteelCI.Spec;

/// <summary>A pipeline file that cannot be run; the message starts with file:line:column.</summary>
public sealed class SpecException(SpecLocation location, string problem)
    : Exception($"{location}: {problem}")
{
    public SpecLocation Location { get; } = location;
    public string Problem { get; } = problem;
}
