using YamlDotNet.Core;

namespace SteelCI.Spec;

/// <summary>Base of every mapping read from steelci.yml; remembers where it started for error messages.</summary>
public abstract class SpecNode
{
    internal Mark? Start { get; set; }
}

/// <summary>A name written in the spec (an input reference), with where it was written.</summary>
public sealed record SpecRef(string Name, Mark Start);
