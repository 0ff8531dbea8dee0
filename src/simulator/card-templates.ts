/**
 * A card template as the simulator knows it (on DingTalk it is made in the card platform): its buttons and
 * the card variables each button sends back as callback params, or the variable an AI card streams into.
 */
export interface SimCardTemplate {
  id: string
  kind: 'interactive' | 'ai'
  buttons?: { actionId: string; label: string; params: string[] }[]
  /** Buttons are shown only while this variable has this value (e.g. status = pending). */
  buttonsWhen?: { variable: string; equals: string }
  streamingKey?: string
}

/** The simulator's template ids: put them in `cards.approvalTemplateId` and `cards.streamingTemplateId` to see cards. */
const SIM_APPROVAL_TEMPLATE = 'sim-approval-card'
const SIM_AI_TEMPLATE = 'sim-ai-card'

/** The templates of the README ("Approving with a button"), as the simulator knows them. */
export const SIM_CARD_TEMPLATES: SimCardTemplate[] = [
  {
    id: SIM_APPROVAL_TEMPLATE,
    kind: 'interactive',
    buttons: [
      { actionId: 'approve', label: 'Approve', params: ['approvalId', 'sig'] },
      { actionId: 'deny', label: 'Deny', params: ['approvalId', 'sig'] },
    ],
    buttonsWhen: { variable: 'status', equals: 'pending' },
  },
  { id: SIM_AI_TEMPLATE, kind: 'ai', streamingKey: 'content' },
]
