// Placeholder until this panel's issue lands; owned by the helper building src/panels/dataset/.
export function DatasetPanel() {
  return <div className="panel note">This panel is being built.</div>;
}
