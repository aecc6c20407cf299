namespace SteelCI.Spec;

/// <summary>A place in a pipeline file: file, 1-based line and column.</summary>
public sealed record SpecLocation(string File, long Line, long Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
