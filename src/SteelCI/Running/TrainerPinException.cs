namespace SteelCI.Running;

/// <summary>The pipeline's trainer bundle is pinned to a hash whose bundle cannot be obtained; the message names the hash and how to unpin.</summary>
public sealed class TrainerPinException(string message) : Exception(message);

/// <summary>A trainer built from sources with an unchanged source key hashed differently from the bundle recorded for them.</summary>
public sealed class TrainerSourceKeyException(string message) : Exception(message);
