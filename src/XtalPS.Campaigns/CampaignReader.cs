using System;
using System.Collections.Generic;
using System.IO;
using XtalPS.Integration;

namespace XtalPS.Campaigns
{
    /// <summary>One gathered reflection table with where it came from (the table itself holds no image).</summary>
    internal readonly struct GatheredTable
    {
        public GatheredTable(ReflectionTable table, LatticeRow lattice, int chunk, int indexed) { Table = table; Lattice = lattice; Chunk = chunk; Indexed = indexed; }
        public ReflectionTable Table { get; }
        public LatticeRow Lattice { get; }
        public int Chunk { get; }
        public int Indexed { get; }
    }

    /// <summary>
    /// Gathers a campaign: every complete chunk in chunk order, each chunk's lattices in lattice order with their
    /// reflections, one reflection row group at a time — so a campaign of any size streams through in the memory of
    /// one chunk's lattice table and one row group. Chunks are contiguous slices of the ordinal file list, so the
    /// order (and anything computed from it, such as an MTZ file's batches) is the same at any chunk size.
    /// Reflection batch numbers count the gathered tables from 1.
    /// </summary>
    internal static class CampaignReader
    {
        public static IEnumerable<GatheredTable> Tables(CampaignFolder folder, Action<int, int>? incomplete = null)
        {
            var manifest = folder.ReadManifest();
            int batch = 0;
            for (int c = 0; c < manifest.ChunkCount; c++)
            {
                var record = folder.CompletedRecord(c, manifest.Id);
                if (record == null) { incomplete?.Invoke(c, manifest.ChunkCount); continue; }
                var latticeTable = new LatticeTable();
                var rows = new List<LatticeRow>();
                var indexed = new List<int>();
                foreach (int n in ChunkTables.ReadRowGroups(folder.ChunkFile(c, ChunkTables.Lattices), latticeTable))
                    for (int i = 0; i < n; i++) { rows.Add(latticeTable.Get(i)); indexed.Add(latticeTable.Indexed(i)); }

                var reflectionRows = new ReflectionRows();
                int next = 0;
                var current = new List<Reflection>();
                foreach (int n in ChunkTables.ReadRowGroups(folder.ChunkFile(c, ChunkTables.Reflections), reflectionRows))
                    for (int i = 0; i < n; i++)
                    {
                        long id = reflectionRows.LatticeId(i);
                        // Lattices in order; those with no reflections come out as empty tables.
                        while (next < rows.Count && rows[next].LatticeId != id)
                        {
                            if (current.Count > 0 || rows[next].Reflections == 0) yield return Emit(rows[next], indexed[next], c, current, ++batch);
                            else throw new InvalidDataException($"{folder.ChunkFile(c, ChunkTables.Reflections)}: reflections of lattice {id} are out of lattice order.");
                            current = new List<Reflection>();
                            next++;
                        }
                        if (next == rows.Count) throw new InvalidDataException($"{folder.ChunkFile(c, ChunkTables.Reflections)}: lattice {id} is not in the lattices table.");
                        current.Add(reflectionRows.Get(i));
                    }
                for (; next < rows.Count; next++)
                {
                    yield return Emit(rows[next], indexed[next], c, current, ++batch);
                    current = new List<Reflection>();
                }
            }
        }

        private static GatheredTable Emit(LatticeRow row, int indexed, int chunk, List<Reflection> reflections, int batch)
        {
            foreach (var r in reflections) r.Batch = batch;
            return new GatheredTable(new ReflectionTable(null, row.Lattice, row.Refined, reflections, row.Stage), row, chunk, indexed);
        }
    }
}
