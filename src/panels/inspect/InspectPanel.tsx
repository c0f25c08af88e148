// Placeholder until this panel's issue lands; owned by the helper building src/panels/inspect/.
export function InspectPanel() {
  return <div className="panel note">This panel is being built.</div>;
}
