using YamlDotNet.Core;

namespace SteelCI.Spec;

/// <summary>Base of every mapping read from steelci.yml; remembers where it started for error messages.</summary>
public abstract class SpecNode
{
    internal Mark? Start { get; set; }

    /// <summary>Where this mapping starts in its file (line and column 1 when unknown), for messages of later checks.</summary>
    public SpecLocation LocationIn(string file) => SpecLoader.At(file, Start);
}

/// <summary>A name written in the spec (an input reference), with where it was written.</summary>
public sealed record SpecRef(string Name, Mark Start);
