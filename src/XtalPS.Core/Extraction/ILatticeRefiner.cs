using System.Collections.Generic;
using XtalPS.Integration;
using XtalPS.Lattices;

namespace XtalPS.Extraction
{
    /// <summary>Refines a lattice from measured reflection centres (the well-behaved Gaussian fits).</summary>
    public interface ILatticeRefiner
    {
        /// <summary>The refined lattice; <paramref name="reflections"/> are the well-behaved fits with X, Y (and XSigma, YSigma) set.</summary>
        Lattice Refine(Lattice lattice, IReadOnlyList<Reflection> reflections);
    }

    /// <summary>Leaves the lattice as it is (crystal lattices until a crystal refiner is plugged in).</summary>
    public sealed class UnchangedLatticeRefiner : ILatticeRefiner
    {
        public static readonly UnchangedLatticeRefiner Instance = new UnchangedLatticeRefiner();
        public Lattice Refine(Lattice lattice, IReadOnlyList<Reflection> reflections) => lattice;
    }
}
